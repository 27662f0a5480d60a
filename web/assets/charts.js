// Draws the overview's charts from the JSON block the server put in the page (no inline script:
// the dashboard's Content-Security-Policy allows scripts from this server only).
(() => {
  const block = document.getElementById('chart-data');
  if (!block || typeof Chart === 'undefined') return;
  const data = JSON.parse(block.textContent);
  const palette = ['#1f5fbf', '#1b7f3b', '#b42318', '#9a6700', '#6941c6', '#0e7490', '#c2410c', '#4b5563'];
  const colour = (datasets) =>
    datasets.map((d, i) => ({ ...d, backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length] }));
  const animation = false; // screenshots and tests see the finished chart
  new Chart(document.getElementById('repairs-chart'), {
    type: 'bar',
    data: { labels: data.repairs.labels, datasets: colour(data.repairs.datasets) },
    options: { animation, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  new Chart(document.getElementById('published-chart'), {
    type: 'bar',
    data: { labels: data.published.labels, datasets: colour(data.published.datasets) },
    options: { animation, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
})();
