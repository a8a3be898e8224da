// The finder: the browser gives WGS-84 coordinates; the server finds the nearest stations; the map shows them on
// the shipped county outline (no tile server, so nothing leaves this site).
(function () {
  const form = document.getElementById("finder");
  if (!form) return;
  const status = document.getElementById("locate-status");
  const lng = document.getElementById("lng"), lat = document.getElementById("lat");
  const town = document.getElementById("town");
  document.getElementById("locate").addEventListener("click", () => {
    if (!navigator.geolocation) { status.textContent = "×"; return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition((pos) => {
      lng.value = pos.coords.longitude.toFixed(6); lat.value = pos.coords.latitude.toFixed(6);
      town.value = ""; status.textContent = "✓";
      htmx.trigger(form, "submit");
    }, () => { status.textContent = "×"; }, { enableHighAccuracy: true, timeout: 10000 });
  });
  document.getElementById("county").addEventListener("change", (e) => {
    town.innerHTML = '<option value=""></option>';
    if (!e.target.value) return;
    fetch("/api/v1/regions/counties/" + e.target.value + "/towns").then((r) => r.json()).then((rows) => {
      rows.forEach((t) => { const o = document.createElement("option"); o.value = t.code; o.textContent = t.name; town.appendChild(o); });
    });
  });
  town.addEventListener("change", () => { if (town.value) { lng.value = ""; lat.value = ""; } });

  const el = document.getElementById("station-map");
  let chart = null;
  fetch(el.dataset.geo).then((r) => r.json()).then((geo) => {
    echarts.registerMap("zhejiang", geo);
    chart = echarts.init(el);
    chart.setOption({ geo: { map: "zhejiang", roam: true, itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd" } },
                      series: [{ type: "scatter", coordinateSystem: "geo", data: [], symbolSize: 10 }] });
    el.dataset.drawn = "1";
    draw();
  });
  function draw() {
    const list = document.querySelector("#results .results");
    if (!chart || !list) return;
    const data = Array.from(list.querySelectorAll(".result")).map((li) => ({ name: li.dataset.name, value: [Number(li.dataset.lng), Number(li.dataset.lat)] }));
    const me = { name: el.dataset.me, value: [Number(list.dataset.originLng), Number(list.dataset.originLat)], itemStyle: { color: "#0b5cad" } };
    chart.setOption({ series: [{ type: "scatter", coordinateSystem: "geo", data: data.concat([me]), symbolSize: 10, itemStyle: { color: "#c8102e" } }],
                      geo: { center: me.value, zoom: 8 } });
  }
  document.body.addEventListener("htmx:afterSwap", (e) => { if (e.detail.target.id === "results") draw(); });
})();
