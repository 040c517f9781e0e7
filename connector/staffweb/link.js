// One-time sign-in: the code is in the fragment, which never reaches the
// server's logs; it goes into the form, and out of the address bar.
(function () {
  var code = location.hash.slice(1);
  document.getElementById("link").value = code;
  history.replaceState(null, "", location.pathname);
})();
