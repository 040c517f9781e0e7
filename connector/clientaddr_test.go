package connector

import (
	"net/http"
	"testing"
)

func TestForwardedHopsAreParsedAndUnreadableOnesAreNotTheProxy(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	cases := []struct {
		peer string
		xff  []string
		want string
	}{
		{"10.0.0.2:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"10.0.0.2:5000", []string{"8.8.8.8:443"}, "8.8.8.8"},
		{"10.0.0.2:5000", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"10.0.0.2:5000", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"10.0.0.2:5000", []string{"::ffff:198.51.100.4"}, "198.51.100.4"},
		{"10.0.0.2:5000", []string{"1.2.3.4, 203.0.113.10, 10.0.0.7"}, "203.0.113.10"},
		{"10.0.0.2:5000", []string{"1.2.3.4", "10.0.0.7"}, "1.2.3.4"},
		{"10.0.0.2:5000", []string{"10.0.0.9"}, "10.0.0.9"}, // a client inside the proxies' network
		// Unreadable: an unknown public client, never the proxy.
		{"10.0.0.2:5000", []string{"unknown"}, ""},
		{"10.0.0.2:5000", []string{"8.8.8.8,garbage"}, ""},
		{"10.0.0.2:5000", []string{""}, ""},
		{"10.0.0.2:5000", []string{"203.0.113.9, unknown"}, ""},
		// The proxy's own request, and anyone else's header.
		{"10.0.0.2:5000", nil, "10.0.0.2"},
		{"198.51.100.1:5000", []string{"10.0.0.9"}, "198.51.100.1"},
	}
	for _, c := range cases {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientAddr(r); got != c.want {
			t.Errorf("peer %s X-Forwarded-For %q: client %q, want %q", c.peer, c.xff, got, c.want)
		}
	}
}

// forwarded GETs path with an X-Forwarded-For header (none if xff is "")
// and returns the status.
func (st *stack) forwarded(path, xff string) int {
	st.t.Helper()
	req, _ := http.NewRequest("GET", st.d.URL+path, nil)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestMetricsRefuseAnUnreadableForwardedClient(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.cfg.TrustedProxies, _ = ParseTrustedProxies("127.0.0.1")
	get := func(xff string) int { return st.forwarded("/metrics", xff) }
	if c := get(""); c != http.StatusOK {
		t.Fatalf("a scrape from this machine: %d", c)
	}
	for _, xff := range []string{"unknown", "8.8.8.8,garbage", "8.8.8.8:443", "[2001:db8::1]"} {
		if c := get(xff); c != http.StatusNotFound {
			t.Errorf("/metrics forwarded for %q answered %d", xff, c)
		}
	}
}

func TestClientBucketsAreBoundedAndIPv6SharesItsSlash64(t *testing.T) {
	l := newLimiter(0.001, 2)
	for _, a := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		if _, ok := l.allow(clientKey(a)); !ok {
			t.Fatalf("%s refused in the burst", a)
		}
	}
	if _, ok := l.allow(clientKey("2001:db8:1:2::7")); ok {
		t.Fatal("a third address of one /64 got past its shared burst of 2")
	}
	if _, ok := l.allow(clientKey("2001:db8:1:3::1")); !ok {
		t.Fatal("the next /64 shared the first one's bucket")
	}
	if clientKey("::ffff:203.0.113.1") != clientKey("203.0.113.1") || clientKey("203.0.113.1") == clientKey("203.0.113.2") {
		t.Fatal("an IPv4 client is not keyed by its own address")
	}
	if clientKey("unknown") != clientKey("garbage") {
		t.Fatal("unreadable addresses would each get a bucket of their own")
	}
	// A flood of new keys evicts the least recently used, one each.
	l.size = 100
	l.allow("keep")
	for i := range 1000 {
		l.allow("k" + itoa(int64(i)))
		if i%50 == 0 {
			l.allow("keep")
		}
	}
	if n := l.order.Len(); n != 100 || len(l.buckets) != 100 {
		t.Fatalf("%d buckets (%d in the map), want the bound of 100", n, len(l.buckets))
	}
	if _, ok := l.buckets["keep"]; !ok {
		t.Fatal("a key in use was evicted before idle ones")
	}
}
