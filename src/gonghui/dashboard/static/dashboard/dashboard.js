// Dashboard charts: a county choropleth (mountain and island counties outlined; a click drills down), the trend
// of the chosen figure and, on the big screen, the top counties. Data comes from the page (#dash-data).
(function () {
  const dataEl = document.getElementById("dash-data");
  if (!dataEl || typeof echarts === "undefined") return;
  const data = JSON.parse(dataEl.textContent);
  if (!data || !data.counties) return;
  const dark = document.body.classList.contains("screen");
  const text = dark ? "#cfe3ff" : "#1f2328";
  const charts = [];

  function drill(code) {
    const url = new URL(window.location.href);
    url.searchParams.set("region", code);
    window.location.href = url.toString();
  }

  const mapEl = document.getElementById("dash-map");
  if (mapEl) {
    fetch(mapEl.dataset.geo).then((r) => r.json()).then((geo) => {
      const focus = data.focus.length >= 4 ? data.focus : "";
      const features = geo.features.filter((f) => f.properties.code.startsWith(focus));
      const name = "zj-" + (focus || "33");
      echarts.registerMap(name, { type: "FeatureCollection", features: features });
      const chart = echarts.init(mapEl);
      charts.push(chart);
      const values = data.counties.map((c) => c.value);
      const max = Math.max(1, ...values);
      const border = (c) => (c.island ? "#1e88e5" : c.mountain ? "#2e7d32" : (dark ? "#33507a" : "#999"));
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: (p) => p.data ? `${p.name}<br>${data.figure}: ${p.data.value.toLocaleString()} ${data.unit}` +
            (p.data.tag ? `<br>${p.data.tag}` : "") : p.name,
        },
        visualMap: {
          min: 0, max: max, left: 8, bottom: 8, calculable: true, text: [String(max), "0"],
          textStyle: { color: text }, inRange: { color: dark ? ["#12305a", "#2f7fd8", "#ffd54f"] : ["#fde0dd", "#c8102e"] },
        },
        series: [{
          type: "map", map: name, roam: true, name: data.figure, label: { show: false },
          emphasis: { label: { show: true } }, selectedMode: false,
          data: data.counties.map((c) => ({
            name: c.name, value: c.value, code: c.code,
            tag: c.island ? mapEl.dataset.labelIsland : c.mountain ? mapEl.dataset.labelMountain : "",
            itemStyle: { borderColor: border(c), borderWidth: c.mountain || c.island ? 2 : 0.5 },
          })),
        }],
      });
      chart.on("click", (p) => { if (p.data && p.data.code && p.data.code !== data.region) drill(p.data.code); });
      mapEl.dataset.drawn = String(features.length);
      window.gonghuiDashboardMap = chart;
    });
  }

  const trendEl = document.getElementById("dash-trend");
  if (trendEl) {
    const chart = echarts.init(trendEl);
    charts.push(chart);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.trend.map((p) => p.period), axisLabel: { color: text } },
      yAxis: { type: "value", axisLabel: { color: text } },
      series: [{ type: "bar", name: data.figure, data: data.trend.map((p) => p.value),
                 itemStyle: { color: dark ? "#4fc3f7" : "#c8102e" } }],
    });
    trendEl.dataset.drawn = "1";
  }

  const topEl = document.getElementById("dash-top");
  if (topEl) {
    const chart = echarts.init(topEl);
    charts.push(chart);
    const rows = data.top.slice().reverse();
    chart.setOption({
      grid: { left: 90, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", axisLabel: { color: text } },
      yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { color: text } },
      series: [{ type: "bar", data: rows.map((r) => r.value), itemStyle: { color: "#ffd54f" } }],
    });
    topEl.dataset.drawn = "1";
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
