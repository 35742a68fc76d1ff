/* The workspace's only script: draws the charts the server described, and lets htmx do the rest. */
(function () {
  'use strict';
  function draw(root) {
    root.querySelectorAll('script.chart-options').forEach(function (block) {
      var options = JSON.parse(block.textContent || '{}');
      Object.keys(options).forEach(function (id) {
        var el = document.getElementById(id);
        if (!el) return;
        var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: 'canvas' });
        chart.setOption(options[id], true);
        var target = el.getAttribute('data-click-target');
        var url = el.getAttribute('data-click-url');
        if (target && url && !el.dataset.bound) {
          el.dataset.bound = '1';
          chart.on('click', function (p) {
            var at = p.data && p.data.at;
            if (at) htmx.ajax('GET', url + encodeURIComponent(at), { target: target, swap: 'innerHTML' });
          });
        }
      });
    });
  }
  /* The live alert feed: Server-Sent Events from /app/alerts/stream, newest first. */
  function follow(list) {
    var source = new EventSource(list.getAttribute('data-stream'));
    source.addEventListener('ready', function () { list.setAttribute('data-ready', '1'); });
    source.addEventListener('alert', function (e) {
      var a = JSON.parse(e.data);
      var li = document.createElement('li');
      li.setAttribute('data-alert', a.id);
      li.textContent = a.createdAt + ' · ' + a.topic + ' · ' + a.key + ' · ' + (a.payload.type || '');
      list.insertBefore(li, list.firstChild);
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    draw(document);
    var feed = document.getElementById('feed');
    if (feed) follow(feed);
  });
  document.addEventListener('htmx:afterSettle', function (e) { draw(e.target); });
  window.addEventListener('resize', function () {
    document.querySelectorAll('.chart').forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  });
})();
