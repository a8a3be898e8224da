// Mountain and island counties on the province map: served this year (green) or not yet (red); others grey.
(function () {
  const el = document.getElementById("coverage-map");
  if (!el || typeof echarts === "undefined") return;
  const rows = JSON.parse(document.getElementById("coverage-rows").textContent);
  const byName = {};
  rows.forEach((r) => { byName[r.name] = r; });
  fetch(el.dataset.geo).then((r) => r.json()).then((geo) => {
    echarts.registerMap("zhejiang-coverage", geo);
    const chart = echarts.init(el);
    const labels = [el.dataset.labelOther, el.dataset.labelServed, el.dataset.labelUnserved];
    const data = geo.features.map((f) => {
      const row = byName[f.properties.name];
      return { name: f.properties.name, value: row ? (row.served ? 1 : 2) : 0, sessions: row ? row.sessions : 0 };
    });
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => p.name + (p.data ? " · " + labels[p.data.value] : "") },
      visualMap: {
        type: "piecewise", left: 8, bottom: 8,
        pieces: [{ value: 0, label: labels[0], color: "#e6e6e6" }, { value: 1, label: labels[1], color: "#1a7f37" },
                 { value: 2, label: labels[2], color: "#cf222e" }],
      },
      series: [{ type: "map", map: "zhejiang-coverage", roam: true, label: { show: false }, data: data }],
    });
    el.dataset.served = String(data.filter((d) => d.value === 1).length);
    window.addEventListener("resize", () => chart.resize());
  });
})();
