// Charts of the indicator page, drawn with the bundled ECharts from the data the page embeds.
(function () {
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    var unit = data.unit || "";
    var fmt = function (v) { return v === null || v === undefined ? "未报送" : v + unit; };
    var years = document.getElementById("chart-years");
    if (years) {
      echarts.init(years).setOption({
        tooltip: { trigger: "axis", valueFormatter: fmt },
        legend: { data: ["实际", "目标"] },
        xAxis: { type: "category", data: data.years },
        yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
        series: [
          { name: "实际", type: "line", data: data.values, connectNulls: false, label: { show: true, formatter: function (p) { return fmt(p.value); } } },
          { name: "目标", type: "line", step: "middle", data: data.targets, lineStyle: { type: "dashed" } }
        ]
      });
    }
    var children = document.getElementById("chart-children");
    if (children) {
      var option = {
        tooltip: { trigger: "axis", valueFormatter: fmt },
        grid: { left: 140 },
        xAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
        yAxis: { type: "category", inverse: true, data: data.children },
        series: [{ name: "本期", type: "bar", data: data.child_values, label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } } }]
      };
      if (data.child_target !== null) {
        option.series[0].markLine = { symbol: "none", data: [{ xAxis: data.child_target, name: "目标" }], label: { formatter: "目标 {c}" + unit } };
      }
      children.style.height = Math.max(240, data.children.length * 28 + 60) + "px";
      echarts.init(children).setOption(option);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
