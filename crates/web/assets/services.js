// Enterprise services: the appeal form records the chosen files' names, sizes and types
// (the files stay with the enterprise), and the blocking-point dashboard draws its rows.
(function () {
  'use strict';
  var files = document.getElementById('appeal-files');
  var meta = document.getElementById('attachment-meta');
  if (files && meta) {
    files.addEventListener('change', function () {
      meta.value = Array.prototype.map.call(files.files, function (f) {
        return [f.name, f.size, f.type].join('\t');
      }).join('\n');
    });
  }
  var source = document.getElementById('blocking-data');
  var box = document.getElementById('blocking-chart');
  if (!source || !box || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: 'svg' });
  var series = data.series.map(function (s) {
    return { name: s.name, type: 'bar', stack: s === data.series[2] ? 'visits' : 'appeals', data: s.data };
  });
  series.push({ name: data.overdue.name, type: 'line', data: data.overdue.data, itemStyle: { color: '#d7301f' } });
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: series.map(function (s) { return s.name; }) },
    grid: { left: 48, right: 24, bottom: 96 },
    xAxis: { type: 'category', data: data.names, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: series,
  });
  window.addEventListener('resize', function () { chart.resize(); });
  box.setAttribute('data-rendered-bars', String(data.names.length));
})();
// The assessment result: each dimension's score (0–100) as a bar.
(function () {
  'use strict';
  var source = document.getElementById('assessment-data');
  var box = document.getElementById('assessment-chart');
  if (!source || !box || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 24, bottom: 48 },
    xAxis: { type: 'category', data: data.names },
    yAxis: { type: 'value', min: 0, max: 100,
      splitLine: { show: true } },
    series: [{ name: data.label, type: 'bar', data: data.scores,
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#999' },
        data: [{ yAxis: 40 }, { yAxis: 60 }, { yAxis: 80 }] } }],
  });
  window.addEventListener('resize', function () { chart.resize(); });
  box.setAttribute('data-rendered-bars', String(data.names.length));
})();
