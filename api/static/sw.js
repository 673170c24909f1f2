// Service worker: keeps the worker's route page readable offline.
// Route pages are fetched from the network first and the copy is kept; when the
// network fails, the kept copy is shown. Nothing else is cached but the stylesheet
// and script the page needs.
"use strict";
var CACHE = "homecare-route-v1";
var ASSETS = ["/static/app.css", "/static/route.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function isRoute(url) {
  return url.origin === self.location.origin && url.pathname === "/me";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (isRoute(url)) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(request).then(function (kept) {
          return kept || caches.match("/me", { ignoreSearch: true }) ||
            new Response("<p>Offline, and no route kept yet.</p>", { headers: { "Content-Type": "text/html" } });
        });
      })
    );
  } else if (url.origin === self.location.origin && ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (kept) { return kept || fetch(request); }));
  }
});
