// The opportunities page: every chain link of the region at (RCA, relatedness density),
// strong ones and the rest as two series (Metroverse's presence against fit), and the
// activity space (links to each node's two closest), the region's strong links lit.
(function () {
  'use strict';
  var source = document.getElementById('opportunities-data');
  if (!source || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var quadrant = document.getElementById('quadrant-chart');
  if (quadrant) {
    var chart = echarts.init(quadrant, null, { renderer: 'svg' });
    var tip = function (p) { return p.name + '<br>RCA ' + p.value[0] + ' · ' + p.value[1]; };
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'item', formatter: tip },
      legend: { data: [data.present_label, data.lacking_label] },
      grid: { left: 56, right: 24, bottom: 48 },
      xAxis: { type: 'value', name: data.x, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: data.y },
      series: [
        { name: data.present_label, type: 'scatter', data: data.present, itemStyle: { color: '#2c7fb8' },
          markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#999' }, data: [{ xAxis: 1 }] } },
        { name: data.lacking_label, type: 'scatter', data: data.lacking, itemStyle: { color: '#f03b20' } },
      ],
    });
    window.addEventListener('resize', function () { chart.resize(); });
    quadrant.setAttribute('data-rendered-points', String(data.present.length + data.lacking.length));
  }
  var space = document.getElementById('space-chart');
  if (space) {
    var graph = echarts.init(space, null, { renderer: 'svg' });
    graph.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return p.dataType === 'edge' ? String(p.data.value) : p.data.name; } },
      series: [{
        type: 'graph', layout: 'force', roam: true, force: { repulsion: 60, edgeLength: 40 },
        data: data.nodes.map(function (n) {
          return { id: n.id, name: n.name, symbolSize: n.present ? 12 : 7,
                   itemStyle: { color: n.present ? '#2c7fb8' : '#cccccc' } };
        }),
        links: data.links,
        lineStyle: { color: '#bbbbbb', width: 1 },
      }],
    });
    window.addEventListener('resize', function () { graph.resize(); });
    space.setAttribute('data-rendered-nodes', String(data.nodes.length));
  }
}());
