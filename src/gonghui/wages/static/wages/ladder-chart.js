// The agreement's wage ladder beside the county and city medians of its industry (ECharts, no network).
(function () {
  const el = document.getElementById("ladder-chart");
  const data = JSON.parse(document.getElementById("ladder-comparison").textContent);
  if (!el || !window.echarts) return;
  const chart = echarts.init(el);
  const series = [
    { name: el.dataset.labelOwn, data: data.agreement },
    { name: el.dataset.labelCounty, data: data.county_median },
    { name: el.dataset.labelCity, data: data.city_median },
  ].map((s) => ({ ...s, type: "line", connectNulls: true, symbolSize: 8 }));
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 40, bottom: 40 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", name: el.dataset.labelUnit },
    series: series,
  });
  window.addEventListener("resize", () => chart.resize());
  window.gonghuiLadderChart = chart;
  el.dataset.drawn = String(data.grades.length);
})();
