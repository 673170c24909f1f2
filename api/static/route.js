// The route page: register the service worker (today's route readable offline),
// say when the page is the offline copy, and add the phone's location to check-ins.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  var note = document.querySelector(".offline-note");
  function showState() { if (note) { note.hidden = navigator.onLine; } }
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  showState();
  document.querySelectorAll("form.check").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located || !("geolocation" in navigator)) { return; }
      event.preventDefault();
      var send = function () { form.dataset.located = "1"; form.submit(); };
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
        send();
      }, send, { enableHighAccuracy: true, timeout: 5000, maximumAge: 60000 });
    });
  });
}());
