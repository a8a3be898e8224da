// Draws the province's counties from the shipped GeoJSON; mountain and island counties are coloured.
(function () {
  const el = document.getElementById("county-map");
  if (!el) return;
  const rows = JSON.parse(document.getElementById("county-rows").textContent);
  const byName = {};
  rows.forEach((r) => { byName[r.name] = r; });
  fetch(el.dataset.geo).then((r) => r.json()).then((geo) => {
    echarts.registerMap("zhejiang", geo);
    const chart = echarts.init(el);
    const kind = (r) => (r.island ? 2 : r.mountain ? 1 : 0);
    const labels = [el.dataset.labelOther, el.dataset.labelMountain, el.dataset.labelIsland];
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => p.name + (p.data ? " · " + labels[p.data.value] : "") },
      visualMap: {
        type: "piecewise", left: 8, bottom: 8,
        pieces: [{ value: 0, label: labels[0], color: "#e6e6e6" }, { value: 1, label: labels[1], color: "#52b26b" },
                 { value: 2, label: labels[2], color: "#3b8fd9" }],
      },
      series: [{
        type: "map", map: "zhejiang", roam: true, name: "counties",
        label: { show: false }, emphasis: { label: { show: true } },
        data: rows.map((r) => ({ name: r.name, value: kind(r), code: r.code })),
      }],
    });
    el.dataset.drawn = String(geo.features.length);
    window.addEventListener("resize", () => chart.resize());
    window.gonghuiCountyMap = chart;
  });
})();
