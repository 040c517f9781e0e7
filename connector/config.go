// Package connector is the vendor-side service between desktop wizards and
// WeChat. WeChat pushes component_verify_ticket only to a public URL and
// answers component and authorizer calls only from whitelisted server IPs, so
// the platform's secrets and tokens live here, never in the wizard.
package connector

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
)

// Secrets are the platform's credentials. They come from the environment or
// a file, never from flags, and String never prints them.
type Secrets struct {
	AppSecret          string // component_appsecret
	Token              string // message check token (消息校验Token)
	EncodingAESKey     string // 消息加解密Key
	PrevEncodingAESKey string // the key before the last rotation, still tried on pushes
	StoreKey           string // encrypts tokens at rest; 32+ characters
}

// String redacts every value, so a Secrets printed by mistake leaks nothing.
func (s Secrets) String() string {
	mark := func(v string) string {
		if v == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("Secrets{AppSecret:%s Token:%s EncodingAESKey:%s PrevEncodingAESKey:%s StoreKey:%s}",
		mark(s.AppSecret), mark(s.Token), mark(s.EncodingAESKey), mark(s.PrevEncodingAESKey), mark(s.StoreKey))
}

// GoString keeps %#v from printing the fields.
func (s Secrets) GoString() string { return s.String() }

// LogValue keeps slog from printing the fields.
func (s Secrets) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Environment variables that carry the secrets.
const (
	EnvAppSecret      = "CONNECTOR_APPSECRET"
	EnvToken          = "CONNECTOR_TOKEN"
	EnvAESKey         = "CONNECTOR_AES_KEY"
	EnvPrevAESKey     = "CONNECTOR_PREV_AES_KEY"
	EnvStoreKey       = "CONNECTOR_STORE_KEY"
	EnvSecretsFile    = "CONNECTOR_SECRETS_FILE"
	secretsFileMaxLen = 64 << 10
)

// LoadSecrets reads the secrets from a KEY=VALUE file (when file is not
// empty) and then from the environment, which wins. Missing required values
// are reported by name, never by value.
func LoadSecrets(env func(string) string, file string) (Secrets, error) {
	vals := map[string]string{}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return Secrets{}, fmt.Errorf("connector: reading secrets file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(io.LimitReader(f, secretsFileMaxLen))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return Secrets{}, fmt.Errorf("connector: secrets file line %d is not KEY=VALUE", n)
			}
			vals[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
		if err := sc.Err(); err != nil {
			return Secrets{}, fmt.Errorf("connector: reading secrets file: %w", err)
		}
	}
	get := func(k string) string {
		if v := env(k); v != "" {
			return v
		}
		return vals[k]
	}
	s := Secrets{AppSecret: get(EnvAppSecret), Token: get(EnvToken), EncodingAESKey: get(EnvAESKey),
		PrevEncodingAESKey: get(EnvPrevAESKey), StoreKey: get(EnvStoreKey)}
	return s, s.validate()
}

func (s Secrets) validate() error {
	var missing []string
	for name, v := range map[string]string{EnvAppSecret: s.AppSecret, EnvToken: s.Token, EnvAESKey: s.EncodingAESKey, EnvStoreKey: s.StoreKey} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("connector: missing secrets: %s", strings.Join(slices.Sorted(slices.Values(missing)), ", "))
	}
	if len(s.EncodingAESKey) != 43 || (s.PrevEncodingAESKey != "" && len(s.PrevEncodingAESKey) != 43) {
		return errors.New("connector: an EncodingAESKey must be exactly 43 characters")
	}
	if len(s.StoreKey) < 32 {
		return errors.New("connector: " + EnvStoreKey + " must be at least 32 characters")
	}
	return nil
}

// Config is everything the connector needs besides its store.
type Config struct {
	PublicURL      string // e.g. https://connector.example.com; its host is the 授权发起页域名
	APIBase        string // default https://api.weixin.qq.com
	OpenBase       string // H5 authorization page host, default https://open.weixin.qq.com
	MPBase         string // PC authorization page host, default https://mp.weixin.qq.com
	ComponentAppID string
	Secrets        Secrets
	// PermissionSets asked for on the authorization page. The default is
	// 用户管理 (2) and 账号服务 (3); 开放平台账号管理 (24) only when configured,
	// because one platform at a time can hold it; never 消息管理 (1), which
	// would take over the account's menu and auto-reply.
	PermissionSets []int
	SessionTTL     time.Duration // default 10 min
	Clock          clock.Clock
	HTTPClient     *http.Client // for WeChat; nil = 20 s timeout
	Logger         *slog.Logger
	RateLimit      float64 // requests per second per project token; default 200
	RateBurst      int     // default 400
	Demo           bool    // reported by /v1/health
	// ReleaseState is the platform's 全网发布 state as the operator knows
	// it (api.ReleaseTesting, api.ReleaseReleased, or "" unset). WeChat
	// offers no API to read it; before release only the console's test
	// accounts can authorize, so health carries it for the wizard to say.
	ReleaseState string
	// Support is the vendor's contact, carried in /v1/health for the
	// wizard's Help menu; zero = none.
	Support api.Support
	// MaxPushAge bounds how old a push's timestamp may be; default 5 min.
	MaxPushAge time.Duration
	// PublicRateLimit and PublicRateBurst bound the landing page and the
	// callback per client address (requests per second; default 2 and 20;
	// negative = unlimited).
	PublicRateLimit float64
	PublicRateBurst int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; without them the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// Retention is how long a finished or expired session is kept; default
	// 30 days.
	Retention time.Duration
	// MaintainEvery is how often old rows are deleted and the database's
	// log is shrunk; default 1 min, negative = never (tests).
	MaintainEvery time.Duration
	// HeartbeatEvery is how often an instance sharing its database with
	// others reports itself alive, to share out the rate limit; default
	// 10 s. One silent for three periods no longer counts.
	HeartbeatEvery time.Duration
}

// DefaultRetention is how long sessions are kept by default.
const DefaultRetention = 30 * 24 * time.Hour

func (c *Config) setDefaults() error {
	if c.PublicURL == "" || c.ComponentAppID == "" {
		return errors.New("connector: public URL and component appid are required")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("connector: public URL %q is not an http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if err := CheckReleaseState(c.ReleaseState); err != nil {
		return err
	}
	if err := CheckSupport(c.Support); err != nil {
		return err
	}
	if c.APIBase == "" {
		c.APIBase = "https://api.weixin.qq.com"
	}
	if c.OpenBase == "" {
		c.OpenBase = "https://open.weixin.qq.com"
	}
	if c.MPBase == "" {
		c.MPBase = "https://mp.weixin.qq.com"
	}
	if len(c.PermissionSets) == 0 {
		c.PermissionSets = []int{2, 3}
	}
	for _, id := range c.PermissionSets {
		if id == 1 {
			return errors.New("connector: permission set 1 (消息管理) would take over the account's menu and auto-reply; it is never requested")
		}
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 10 * time.Minute
	}
	c.Clock = clock.Or(c.Clock)
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 20 * time.Second, Transport: WeChatTransport()}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if c.RateLimit == 0 {
		c.RateLimit = 200
	}
	if c.RateBurst == 0 {
		c.RateBurst = 400
	}
	if c.MaxPushAge == 0 {
		c.MaxPushAge = 5 * time.Minute
	}
	if c.PublicRateLimit == 0 {
		c.PublicRateLimit = 2
	}
	if c.PublicRateBurst == 0 {
		c.PublicRateBurst = 20
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.Retention < 0 {
		return errors.New("connector: the retention period cannot be negative")
	}
	if c.HeartbeatEvery <= 0 {
		c.HeartbeatEvery = 10 * time.Second
	}
	if c.MaintainEvery == 0 {
		c.MaintainEvery = time.Minute
	}
	return c.Secrets.validate()
}

// CheckSupport refuses a support address the wizard could not open as a
// web page.
func CheckSupport(s api.Support) error {
	if s.URL == "" {
		return nil
	}
	u, err := url.Parse(s.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("connector: support URL %q is not an http(s) URL", s.URL)
	}
	return nil
}

// CheckReleaseState refuses a release state the contract does not name.
func CheckReleaseState(v string) error {
	switch v {
	case api.ReleaseUnknown, api.ReleaseTesting, api.ReleaseReleased:
		return nil
	}
	return fmt.Errorf("connector: release state %q is neither %s nor %s", v, api.ReleaseTesting, api.ReleaseReleased)
}

// WeChatTransport is the connector's transport to WeChat. The default one
// keeps two idle connections per host: with several syncs relayed at once,
// every other call to WeChat would open a new TLS connection.
func WeChatTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.WriteBufferSize = 16 << 10 // a batchget request (about 6 KB) in one write
	return t
}
