// The sign-in page: forget any route kept for offline reading by a previous session.
(function () {
  "use strict";
  if ("caches" in window) { caches.delete("homecare-route-v1").catch(function () {}); }
}());
