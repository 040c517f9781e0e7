package wechatsim

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// A Phone is a WeChat user with the in-app browser: it follows a QR code's
// URL through redirects and meta refreshes, sends the Referer a browser
// would, and taps confirm or cancel on WeChat's authorization page.

// phoneHeader tells the simulator which WeChat user is browsing, as the
// logged-in WeChat client would; it is sent only to the simulator.
const phoneHeader = "X-Wechatsim-User"

const phoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN"

// Phone is one simulated WeChat user's phone.
type Phone struct {
	s       *Server
	id      string
	hc      *http.Client
	history []visit // pages displayed, oldest first
}

type visit struct{ url, referer string }

// NewPhone returns the phone of a WeChat user who administers the accounts.
func (s *Server) NewPhone(adminOf ...string) *Phone {
	p := &Phone{s: s, id: randomString(12)}
	s.mu.Lock()
	s.phones[p.id] = slices.Clone(adminOf)
	s.mu.Unlock()
	simHost := strings.TrimPrefix(s.URL, "http://")
	jar, _ := cookiejar.New(nil) // a phone's browser keeps cookies
	p.hc = &http.Client{
		Timeout: 30 * time.Second, Jar: jar,
		Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			r.Header.Set("User-Agent", phoneUA)
			if r.URL.Host == simHost {
				r.Header.Set(phoneHeader, p.id)
			}
			return http.DefaultTransport.RoundTrip(r)
		}),
		// A redirect keeps the Referer of the navigation that started it,
		// as browsers do (Go's client would put the redirecting URL there).
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			if ref := via[0].Header.Get("Referer"); ref != "" {
				req.Header.Set("Referer", ref)
			} else {
				req.Header.Del("Referer")
			}
			return nil
		},
	}
	return p
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// PageError is a page that is not WeChat's authorization page: an error page
// or a dead end. Text is what the user would read on it.
type PageError struct {
	URL    string
	Status int
	Text   string
}

func (e *PageError) Error() string {
	return fmt.Sprintf("wechatsim: the phone stopped at %s (HTTP %d): %s", e.URL, e.Status, e.Text)
}

// AuthPage is WeChat's authorization page as the phone shows it.
type AuthPage struct {
	ComponentAppID string
	Accounts       []string // offered accounts
	Permissions    []int    // offered permission sets
	URL            string
	BizAppID       string

	phone  *Phone
	pageID string
}

var (
	metaRefreshRE = regexp.MustCompile(`(?i)<meta[^>]+http-equiv=["']?refresh["']?[^>]*content=["']\s*\d*\s*;\s*url=([^"']+)["']`)
	pageIDRE      = regexp.MustCompile(`data-wechatsim-page="bindcomponent" data-page-id="([^"]+)"`)
	tagRE         = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
)

// Open scans a QR code: it loads url and follows the chain until WeChat's
// authorization page, or returns a *PageError with the page's text.
func (p *Phone) Open(rawURL string) (*AuthPage, error) { return p.navigate(rawURL, "") }

func (p *Phone) navigate(target, referer string) (*AuthPage, error) {
	for hops := 0; hops < 10; hops++ {
		final, status, body, err := p.get(target, referer)
		if err != nil {
			return nil, err
		}
		p.history = append(p.history, visit{url: final, referer: referer})
		if m := pageIDRE.FindStringSubmatch(body); m != nil {
			return p.authPage(m[1], final)
		}
		m := metaRefreshRE.FindStringSubmatch(body)
		if m == nil {
			return nil, &PageError{URL: final, Status: status, Text: visibleText(body)}
		}
		next, err := resolve(final, html.UnescapeString(strings.TrimSpace(m[1])))
		if err != nil {
			return nil, err
		}
		referer, target = final, next
	}
	return nil, errors.New("wechatsim: the phone gave up after 10 page hops")
}

func (p *Phone) get(target, referer string) (final string, status int, body string, err error) {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return "", 0, "", err
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return "", 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.Request.URL.String(), resp.StatusCode, string(data), err
}

func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(r).String(), nil
}

func visibleText(body string) string {
	t := html.UnescapeString(tagRE.ReplaceAllString(body, " "))
	return strings.Join(strings.Fields(t), " ")
}

func (p *Phone) authPage(id, pageURL string) (*AuthPage, error) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	pg := p.s.pages[id]
	if pg == nil {
		return nil, errors.New("wechatsim: authorization page vanished")
	}
	return &AuthPage{ComponentAppID: pg.component, Accounts: slices.Clone(pg.accounts), Permissions: slices.Clone(pg.perms),
		URL: pageURL, BizAppID: pg.bizAppID, phone: p, pageID: id}, nil
}

// ConfirmOption changes what the admin does on the page before confirming.
type ConfirmOption func(*confirmChoice)

type confirmChoice struct {
	appid  string
	untick []int
}

// WithAccount picks another of the offered accounts than the first.
func WithAccount(appid string) ConfirmOption { return func(c *confirmChoice) { c.appid = appid } }

// Untick withholds permission sets.
func Untick(ids ...int) ConfirmOption {
	return func(c *confirmChoice) { c.untick = append(c.untick, ids...) }
}

// Result is what confirming led to: the code WeChat handed the callback, and
// the page the phone ended on.
type Result struct {
	AuthorizerAppID string
	AuthCode        string
	RedirectURL     string
	Status          int
	Body            string
}

// Confirm taps 授权. WeChat redirects the phone to redirect_uri with
// auth_code and expires_in; the phone follows it and reports the page it
// ended on.
func (pg *AuthPage) Confirm(opts ...ConfirmOption) (*Result, error) {
	choice := confirmChoice{}
	if len(pg.Accounts) > 0 {
		choice.appid = pg.Accounts[0]
	}
	for _, o := range opts {
		o(&choice)
	}
	form := url.Values{"page": {pg.pageID}, "appid": {choice.appid}}
	for _, id := range pg.Permissions {
		if !slices.Contains(choice.untick, id) {
			form.Add("perm", fmt.Sprint(id))
		}
	}
	p := pg.phone
	req, _ := http.NewRequest(http.MethodPost, p.s.URL+"/wxaopen/safe/bindcomponent/confirm", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", pg.URL)
	noFollow := *p.hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		return nil, &PageError{URL: req.URL.String(), Status: resp.StatusCode, Text: visibleText(string(body))}
	}
	lu, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	res := &Result{AuthorizerAppID: choice.appid, AuthCode: lu.Query().Get("auth_code"), RedirectURL: loc}
	final, status, page, err := p.get(loc, pg.URL)
	p.s.flushPending(pg.pageID)
	if err != nil {
		return res, err
	}
	p.history = append(p.history, visit{url: final, referer: pg.URL})
	res.Status, res.Body = status, page
	return res, nil
}

// Cancel taps 取消. WeChat tells no one: the phone goes back to the page it
// came from, reloading it with that page's own Referer.
func (pg *AuthPage) Cancel() error {
	p := pg.phone
	n := len(p.history)
	if n < 2 {
		return nil
	}
	prev := p.history[n-2]
	_, _, _, err := p.get(prev.url, prev.referer)
	p.history = append(p.history, prev)
	return err
}

// flushPending sends an authorized push held back to follow the redirect.
func (s *Server) flushPending(pageID string) {
	s.mu.Lock()
	pg := s.pages[pageID]
	var push func()
	if pg != nil {
		push, pg.pending = pg.pending, nil
	}
	s.mu.Unlock()
	if push != nil {
		push()
	}
}
