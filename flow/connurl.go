package flow

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ErrInsecureURL: a connector address with plain http:// on another machine
// would send the project token across the network in the clear.
var ErrInsecureURL = errors.New("flow: the connector address must use https:// unless it is this computer")

// CheckConnectorURL refuses plain http:// except on this computer
// (localhost, 127.0.0.0/8, ::1), where nothing crosses the network.
func CheckConnectorURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return nil // https, or not a URL: the connector client says which
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrInsecureURL
}
