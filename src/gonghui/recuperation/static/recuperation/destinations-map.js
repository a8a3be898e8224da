// Participants by destination county on the province map (partner regions are listed in the table below it).
(function () {
  const el = document.getElementById("destination-map");
  if (!el) return;
  const rows = JSON.parse(document.getElementById("destination-rows").textContent);
  const data = rows.filter((r) => !r.partner_region).map((r) => ({ name: r.name, value: r.participants, code: r.code }));
  const max = Math.max(1, ...data.map((d) => d.value));
  fetch(el.dataset.geo).then((r) => r.json()).then((geo) => {
    echarts.registerMap("zhejiang", geo);
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => p.name + " · " + (p.value || 0).toLocaleString() + " " + el.dataset.unit },
      visualMap: { min: 0, max: max, left: 8, bottom: 8, calculable: true, inRange: { color: ["#fff5eb", "#c8102e"] } },
      series: [{ type: "map", map: "zhejiang", roam: true, label: { show: false }, data: data }],
    });
    el.dataset.drawn = String(data.length);
    window.addEventListener("resize", () => chart.resize());
    window.gonghuiDestinationMap = chart;
  });
})();
