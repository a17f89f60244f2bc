// The local supporting rate chart of the diagnosis page: same-city and same-province
// shares of purchases, for the whole chain and each chain master.
(function () {
  'use strict';
  var holder = document.getElementById('supporting-chart');
  var source = document.getElementById('supporting-data');
  if (!holder || !source || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null ? '—' : v + '%'; } },
    legend: { data: data.series },
    grid: { left: 48, right: 16, bottom: 90 },
    xAxis: { type: 'category', data: data.labels, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: data.series[0], type: 'bar', data: data.city, itemStyle: { color: '#2c7fb8' } },
      { name: data.series[1], type: 'bar', data: data.province, itemStyle: { color: '#7fcdbb' } },
    ],
  });
  window.addEventListener('resize', function () { chart.resize(); });
  holder.setAttribute('data-rendered-bars', String(data.labels.length));
}());
