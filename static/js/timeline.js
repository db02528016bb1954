// The 时间轴: one bar per task from its first start to its last due date, a dot per milestone coloured by
// its state, the day's line; zoom by quarter, half, year; a click opens the item.
(function () {
  var TONES = { red: "#c0392b", yellow: "#d99a00", blue: "#1d4f91", green: "#2e7d4f", olive: "#5b7a1b", grey: "#98a2b3" };
  var DAY = 86400000;
  function t(iso) { return new Date(iso + "T00:00:00").getTime(); }
  function draw() {
    var node = document.getElementById("timeline-data"), box = document.getElementById("timeline-chart");
    if (!node || !box || !window.echarts) return;
    if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) return; // the list serves phones
    var data = JSON.parse(node.textContent), rows = data.rows, today = t(data.today);
    var labels = rows.map(function (r) { return (r.level_label ? "[" + r.level_label.slice(0, 2) + "] " : "") + r.label; });
    var bars = [], dots = [];
    rows.forEach(function (r, i) {
      if (r.start) bars.push({ value: [i, t(r.start), t(r.end) + DAY], url: r.url, row: r });
      r.markers.forEach(function (m) {
        if (m.date) dots.push({ value: [t(m.date), i], url: r.url, marker: m, itemStyle: { color: TONES[m.tone] || TONES.grey } });
      });
    });
    box.style.height = Math.max(260, rows.length * 30 + 90) + "px";
    var chart = echarts.init(box);
    chart.setOption({
      grid: { left: 260, right: 24, top: 40, bottom: 50 },
      tooltip: {
        formatter: function (p) {
          if (p.data.marker) {
            var m = p.data.marker;
            return m.label + "<br>" + m.date + " · " + m.state_label + (m.detail ? "<br>" + m.detail : "");
          }
          var r = p.data.row;
          return r.label + "<br>" + r.start + " 至 " + r.end + " · " + r.state_label + (r.level_label ? " · " + r.level_label : "");
        }
      },
      xAxis: { type: "time", position: "top", axisLabel: { formatter: "{yyyy}-{MM}" }, splitLine: { show: true } },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 240, overflow: "truncate" } },
      dataZoom: [{ type: "slider", xAxisIndex: 0, bottom: 10 }, { type: "inside", xAxisIndex: 0 }],
      series: [
        {
          type: "custom", name: "任务", encode: { x: [1, 2], y: 0 }, data: bars,
          renderItem: function (params, api) {
            var start = api.coord([api.value(1), api.value(0)]), end = api.coord([api.value(2), api.value(0)]);
            var h = api.size([0, 1])[1] * 0.36;
            var shape = echarts.graphic.clipRectByRect(
              { x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 2), height: h },
              { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
            return shape && { type: "rect", shape: shape, style: api.style({ fill: "#d6e0ee" }) };
          },
          markLine: { symbol: "none", silent: true, lineStyle: { color: TONES.red }, label: { formatter: "今天" }, data: [{ xAxis: today }] }
        },
        { type: "scatter", name: "时间节点", data: dots, symbolSize: 12, z: 3 }
      ]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    function zoom(kind) {
      var d = new Date(today), y = d.getFullYear(), m = d.getMonth(), from, to;
      if (kind === "quarter") { from = new Date(y, m - m % 3, 1); to = new Date(y, m - m % 3 + 3, 0); }
      else if (kind === "half") { from = new Date(y, m < 6 ? 0 : 6, 1); to = new Date(y, m < 6 ? 6 : 12, 0); }
      else if (kind === "year") { from = new Date(y, 0, 1); to = new Date(y, 11, 31); }
      if (!from) { chart.dispatchAction({ type: "dataZoom", start: 0, end: 100 }); return; }
      chart.dispatchAction({ type: "dataZoom", startValue: from.getTime(), endValue: to.getTime() + DAY });
    }
    document.querySelectorAll("[data-zoom]").forEach(function (b) { b.addEventListener("click", function () { zoom(b.dataset.zoom); }); });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
