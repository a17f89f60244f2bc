// Draws a chain map with ECharts from the JSON the page embeds: nodes in columns from
// upstream to downstream, input links as arrows, size by output in the chosen region,
// grey where the region has no enterprise in a node (a short board).
(function () {
  'use strict';
  var holder = document.getElementById('chain-map');
  var source = document.getElementById('chain-map-data');
  if (!holder || !source || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var english = document.documentElement.lang === 'en';
  var name = function (n) { return english && n.name_en ? n.name_en : n.name_zh; };
  var segments = ['upstream', 'midstream', 'downstream'];
  var colours = { upstream: '#2c7fb8', midstream: '#41ab5d', downstream: '#e6550d' };
  // Diagnosis pages colour nodes by coverage status, the simulator by the share lost.
  var statusColours = { missing: '#c8c8c8', weak: '#fdae61', present: '#a6d96a', strong: '#1a9641' };
  var lossColour = function (share) {
    var t = Math.max(0, Math.min(1, share));
    var mix = function (a, b) { return Math.round(a + (b - a) * t); };
    return 'rgb(' + mix(230, 215) + ',' + mix(230, 25) + ',' + mix(230, 28) + ')';
  };
  var colour = function (n, segment) {
    if (n.status) { return statusColours[n.status]; }
    if (typeof n.loss_share === 'number') { return lossColour(n.loss_share); }
    return n.enterprises === 0 ? '#c8c8c8' : colours[segment];
  };
  var caption = function (n) {
    if (n.status_label) { return ' · ' + n.status_label; }
    if (n.loss_label) { return ' · −' + n.loss_label; }
    return ' (' + n.enterprises + ')';
  };
  var perColumn = 8;
  // Output is null for roles that may not read business figures: size by enterprises then.
  var weight = function (n) { return n.output_fen === null ? n.enterprises : n.output_fen; };
  var maxWeight = Math.max(1, ...data.nodes.map(weight));
  var column = 0;
  var nodes = [];
  segments.forEach(function (segment) {
    var members = data.nodes.filter(function (n) { return n.node.segment === segment; });
    members.forEach(function (n, i) {
      nodes.push({
        id: String(n.node.id),
        name: name(n.node),
        x: (column + Math.floor(i / perColumn)) * 260,
        y: (i % perColumn) * 70,
        symbolSize: 14 + 34 * Math.sqrt(weight(n) / maxWeight),
        itemStyle: { color: colour(n, segment) },
        label: { show: true, position: 'right', formatter: name(n.node) + caption(n) },
        value: n.enterprises,
        output: n.output_fen === null ? '—' : (n.output_fen / 1e6).toFixed(1),
      });
    });
    column += Math.max(1, Math.ceil(members.length / perColumn)) + 0.3;
  });
  var links = data.inputs.map(function (l) {
    return { source: String(l.input_node_id), target: String(l.output_node_id) };
  });
  var chart = echarts.init(holder, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: function (p) {
        if (p.dataType !== 'node') { return ''; }
        return p.data.name + '<br>' + (english ? 'Enterprises: ' : '企业数：') + p.data.value +
          '<br>' + (english ? 'Output (10k yuan): ' : '产值（万元）：') + p.data.output;
      },
    },
    series: [{
      type: 'graph',
      layout: 'none',
      roam: true,
      data: nodes,
      links: links,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 7,
      lineStyle: { color: '#9fb3c8', curveness: 0.15, opacity: 0.8 },
      emphasis: { focus: 'adjacency' },
    }],
  });
  chart.on('click', function (p) {
    if (p.dataType === 'node') {
      var region = data.region ? '?region=' + data.region.code : '';
      window.location.href = '/nodes/' + p.data.id + region;
    }
  });
  window.addEventListener('resize', function () { chart.resize(); });
  holder.setAttribute('data-rendered-nodes', String(nodes.length));
}());
