// Live view: the server says "change" and the page re-reads itself.
(function () {
  var topic = document.body.getAttribute("data-live");
  if (!topic || !window.EventSource) return;
  var es = new EventSource("/staff/events?topic=" + encodeURIComponent(topic));
  es.addEventListener("change", function () {
    fetch(location.href, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (!r.ok) return;
      return r.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        var old = document.getElementById("live");
        if (fresh && old) old.replaceWith(fresh);
      });
    });
  });
})();
