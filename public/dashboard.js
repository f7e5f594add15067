// Dashboard behaviour htmx does not cover: the "N new" counter while scrolled down, catching up after the live
// connection was lost or paused (hx-ws closes the socket while the tab is hidden), and leaving after signing out.
(() => {
  let connections = 0;
  let unseen = 0;

  const counter = () => document.getElementById("new-count");
  const scrolledAway = () => {
    const feed = document.getElementById("feed");
    return feed ? feed.getBoundingClientRect().top < 0 : false;
  };

  function showUnseen() {
    const button = counter();
    if (!button) return;
    button.hidden = unseen === 0;
    button.textContent = `${unseen} new`;
  }

  const MAX_FEED_ROWS = 100;
  const filterValue = () => document.getElementById("feed-filter")?.value ?? "";

  // Live rows arrive for every type; the filter hides the others as they come in.
  function watchFeed() {
    const feed = document.getElementById("feed");
    if (!feed || feed.dataset.watched) return;
    feed.dataset.watched = "1";
    // Rows already shown: a row replaced in place (its document arrived) is not "new".
    const known = new Set([...feed.children].map((row) => row.id));
    new MutationObserver((changes) => {
      const type = filterValue();
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType !== 1 || node.tagName !== "LI") continue;
          if (type && node.dataset.type !== type) node.hidden = true;
          else if (!known.has(node.id) && scrolledAway()) unseen++;
          known.add(node.id);
        }
      }
      // A burst (an import of months of history) must not grow the page without end: the oldest rows go.
      while (feed.children.length > MAX_FEED_ROWS) feed.lastElementChild.remove();
      showUnseen();
      if (feed.children.length > 0) document.getElementById("empty-feed")?.remove();
    }).observe(feed, { childList: true });
  }
  document.addEventListener("DOMContentLoaded", watchFeed);
  document.addEventListener("htmx:after:settle", watchFeed);

  document.addEventListener("click", (event) => {
    if (event.target && event.target.id === "new-count") {
      unseen = 0;
      showUnseen();
      document.getElementById("live")?.scrollIntoView({ behavior: "smooth" });
    }
  });

  window.addEventListener("scroll", () => {
    if (unseen > 0 && !scrolledAway()) {
      unseen = 0;
      showUnseen();
    }
  });

  // Every connection after the first is a reconnect: reload the feed so nothing missed stays missing.
  document.addEventListener("htmx:ws:after:connection", () => {
    connections++;
    document.documentElement.dataset.live = "connected";
    if (connections > 1) {
      const filter = document.getElementById("feed-filter");
      const type = filter ? filter.value : "";
      htmx.ajax("GET", `/dashboard/feed${type ? `?data_type=${encodeURIComponent(type)}` : ""}`, { target: "#feed", swap: "innerHTML" });
    }
  });
  // Signing out: the form posts to /auth/logout (which answers JSON), then the browser goes back to /dashboard, which
  // now shows the sign-in page. Here rather than in an hx-on attribute, which would need 'unsafe-eval'.
  document.addEventListener("htmx:after:request", (event) => {
    if (event.target instanceof Element && event.target.id === "sign-out") location.href = "/dashboard";
  });

  document.addEventListener("htmx:ws:close", () => {
    document.documentElement.dataset.live = "disconnected";
  });
})();
