// The dashboard's charts: output (or enterprises) by chain, enterprises by province, and
// agreements by month signed (count and value in 万元). Amounts in tooltips and axes carry
// thousands separators, as everywhere in the app.
(function () {
  'use strict';
  var source = document.getElementById('dashboard-data');
  if (!source || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var grouped = function (v) {
    return v === null || v === undefined ? '—' : Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 1 });
  };
  var charts = [];
  var bars = function (id, block, colour) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var chart = echarts.init(holder, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      title: { text: block.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', valueFormatter: grouped },
      grid: { left: 72, right: 16, top: 40, bottom: 90 },
      xAxis: { type: 'category', data: block.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: grouped } },
      series: [{ type: 'bar', data: block.values, itemStyle: { color: colour } }],
    });
    holder.setAttribute('data-rendered-bars', String(block.labels.length));
    charts.push(chart);
  };
  bars('chain-chart', data.chains, '#2c7fb8');
  bars('province-chart', data.provinces, '#41ab5d');
  var holder = document.getElementById('agreement-chart');
  if (holder) {
    var a = data.agreements;
    var chart = echarts.init(holder, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      title: { text: a.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', valueFormatter: grouped },
      legend: { data: [a.count_label, a.value_label], top: 24 },
      grid: { left: 72, right: 72, top: 64, bottom: 40 },
      xAxis: { type: 'category', data: a.months },
      yAxis: [
        { type: 'value', name: a.count_label, minInterval: 1 },
        { type: 'value', name: a.value_label, axisLabel: { formatter: grouped } },
      ],
      series: [
        { name: a.count_label, type: 'bar', data: a.counts, itemStyle: { color: '#fdae61' } },
        { name: a.value_label, type: 'line', yAxisIndex: 1, data: a.values, itemStyle: { color: '#e6550d' } },
      ],
    });
    holder.setAttribute('data-rendered-bars', String(a.months.length));
    charts.push(chart);
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
}());
