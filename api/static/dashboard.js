// The dashboard's charts, drawn with the bundled Chart.js from data in the page.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var blue = "#005eb8", green = "#007f3b", amber = "#ffb81c", red = "#d5281b";
  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && window.Chart) { return new window.Chart(canvas, config); }
    return null;
  }
  var common = { responsive: true, animation: false, plugins: { legend: { position: "bottom" } },
    scales: { y: { beginAtZero: true } } };
  chart("chart-capacity", { type: "line", options: common, data: { labels: data.capacity.labels, datasets: [
    { label: "Demand (h)", data: data.capacity.demand, borderColor: red, backgroundColor: red },
    { label: "Available (h)", data: data.capacity.available, borderColor: blue, backgroundColor: blue }] } });
  chart("chart-compliance", { type: "bar", options: Object.assign({}, common, { scales: { y: { min: 0, max: 100 } } }),
    data: { labels: data.compliance.labels, datasets: [{ label: "Compliant %", data: data.compliance.values, backgroundColor: green }] } });
  chart("chart-continuity", { type: "bar", options: common, data: { labels: data.continuity.labels, datasets: [
    { label: "Client-weeks", data: data.continuity.values, backgroundColor: blue }] } });
  chart("chart-pay", { type: "bar", options: common, data: { labels: data.pay.labels, datasets: [
    { label: "Effective £/h", data: data.pay.values, backgroundColor: amber },
    { label: "National Living Wage", data: data.pay.minimum, type: "line", borderColor: red, backgroundColor: red, pointRadius: 0 }] } });
}());
