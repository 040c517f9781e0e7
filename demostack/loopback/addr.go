package loopback

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// advertisedURL is the connector's address for phones and browsers: the
// one given, else the listener's, with this machine's network address in
// place of an unspecified one (0.0.0.0 names no host a phone can open).
func advertisedURL(public string, addr net.Addr) (string, error) {
	if public != "" {
		u, err := url.Parse(public)
		if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return "", fmt.Errorf("connector: public URL %q is not an http(s) address", public)
		}
		return strings.TrimRight(public, "/"), nil
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = networkIP()
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// networkIP is this machine's IPv4 address a phone on the same Wi-Fi most
// likely reaches: a private one first, else any global one, else loopback.
func networkIP() string {
	addrs, _ := net.InterfaceAddrs()
	found := "127.0.0.1"
	for i := len(addrs) - 1; i >= 0; i-- {
		n, ok := addrs[i].(*net.IPNet)
		if !ok || n.IP.To4() == nil || !n.IP.IsGlobalUnicast() {
			continue
		}
		if found = n.IP.String(); n.IP.IsPrivate() {
			break
		}
	}
	return found
}

// loopbackAddr is addr as this machine reaches it: an unspecified IP
// becomes loopback.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
