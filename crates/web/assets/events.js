// The event report's charts: the docking funnel (requested, accepted, scheduled, held)
// and agreement value by chain with meetings held beside it.
(function () {
  'use strict';
  var source = document.getElementById('report-data');
  if (!source || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var funnel = document.getElementById('funnel-chart');
  var chains = document.getElementById('chain-chart');
  var charts = [];
  if (funnel) {
    var f = echarts.init(funnel, null, { renderer: 'svg' });
    f.setOption({
      animation: false,
      title: { text: data.funnel.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item' },
      series: [{
        type: 'funnel', top: 40, bottom: 10, sort: 'none', label: { formatter: '{b}: {c}' },
        data: data.funnel.labels.map(function (l, i) { return { name: l, value: data.funnel.values[i] }; }),
      }],
    });
    charts.push(f);
    funnel.setAttribute('data-rendered', String(data.funnel.values.length));
  }
  if (chains) {
    var c = echarts.init(chains, null, { renderer: 'svg' });
    c.setOption({
      animation: false,
      title: { text: data.chains.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 64, right: 48, bottom: 90, top: 48 },
      xAxis: { type: 'category', data: data.chains.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [{ type: 'value' }, { type: 'value', name: data.chains.held_label }],
      series: [
        { type: 'bar', data: data.chains.values, itemStyle: { color: '#c0392b' } },
        { type: 'line', yAxisIndex: 1, name: data.chains.held_label, data: data.chains.held, itemStyle: { color: '#2c7fb8' } },
      ],
    });
    charts.push(c);
    chains.setAttribute('data-rendered', String(data.chains.labels.length));
  }
  window.addEventListener('resize', function () { charts.forEach(function (x) { x.resize(); }); });
}());
