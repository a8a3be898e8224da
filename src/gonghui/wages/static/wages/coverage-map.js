// County map of coverage of unionised enterprises above designated size (the shipped GeoJSON; no network).
(function () {
  const el = document.getElementById("coverage-map");
  if (!el || !window.echarts) return;
  const rows = JSON.parse(document.getElementById("coverage-rows").textContent);
  fetch(el.dataset.geo).then((r) => r.json()).then((geo) => {
    echarts.registerMap("zhejiang-wages", geo);
    const chart = echarts.init(el);
    const data = rows.map((r) => ({ name: r.key, value: r.unionised_above_rate, label: r.name,
                                   covered: r.enterprises_covered, agreements: r.agreements }));
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: (p) => p.data
          ? `${p.data.label}<br>${el.dataset.labelRate}: ${p.data.value ?? "—"}%<br>${el.dataset.labelCovered}: ${p.data.covered}`
          : "",
      },
      visualMap: { min: 0, max: 100, left: 8, bottom: 8, text: ["100%", "0%"], calculable: true,
                   inRange: { color: ["#fde2e2", "#c8102e"] } },
      series: [{ type: "map", map: "zhejiang-wages", nameProperty: "code", roam: true, data: data,
                 label: { show: false } }],
    });
    el.dataset.drawn = String(rows.length);
    window.addEventListener("resize", () => chart.resize());
    window.gonghuiCoverageMap = chart;
  });
})();
