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
	"strconv"
	"strings"
	"time"
)

// Browser is a person with an ordinary browser (no WeChat, no simulated
// identity) working through the pages of a simulator with BrowserAuth on:
// it follows redirects, meta refreshes and the PC page's QR link, says who
// it is and submits the authorization form. It uses nothing but HTTP and
// the HTML it is served, so it can drive a simulator in another process.
type Browser struct {
	hc *http.Client
	ua string
}

// Browser user agents: a desktop browser, a phone's ordinary browser, and
// WeChat's own browser on a phone (what scanning the QR code opens).
const (
	WeChatUA  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50"
	DesktopUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	MobileUA  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)

// NewBrowser returns a browser sending userAgent.
func NewBrowser(userAgent string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{ua: userAgent, hc: &http.Client{Timeout: 30 * time.Second, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// BrowserChoice is what the person does on the authorization page.
type BrowserChoice struct {
	Role   string // "oa", "mp", "both" or "none"
	AppID  string // account to pick; "" = the first offered
	Untick []int  // permission sets to withhold
	Cancel bool   // tap 取消 instead of 授权
}

// BrowserPage is where the browser stopped: the last page's address,
// status and visible text.
type BrowserPage struct {
	URL    string
	Status int
	Kind   string // the simulator's data-wechatsim-page, "" for others' pages
	Text   string
}

var (
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	getFormRE     = regexp.MustCompile(`<form method="get" action="([^"]+)"`)
	permInputRE   = regexp.MustCompile(`<input type="checkbox" name="perm" value="(\d+)"`)
	kindRE        = regexp.MustCompile(`data-wechatsim-page="([^"]+)"`)
	// pcLinkRE is the connector's "continue on this computer" button,
	// which it offers a browser that is not WeChat.
	pcLinkRE = regexp.MustCompile(`<a class="btn" href="([^"]+[?&]pc=1)"`)
)

// Authorize opens link (a QR code's URL) and goes through to the end.
func (b *Browser) Authorize(link string, c BrowserChoice) (*BrowserPage, error) {
	target, referer, method, form := link, "", http.MethodGet, url.Values(nil)
	tookPC := false
	for hops := 0; hops < 20; hops++ {
		resp, body, err := b.send(method, target, referer, form)
		if err != nil {
			return nil, err
		}
		here := resp.Request.URL.String()
		next, method2, form2 := "", http.MethodGet, url.Values(nil)
		kind := ""
		if m := kindRE.FindStringSubmatch(body); m != nil {
			kind = m[1]
		}
		switch {
		case resp.StatusCode/100 == 3:
			next = resp.Header.Get("Location")
		case kind == "whoami":
			q := url.Values{}
			for _, m := range hiddenInputRE.FindAllStringSubmatch(body, -1) {
				q.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
			}
			q.Set("as", c.Role)
			next = html.UnescapeString(getFormRE.FindStringSubmatch(body)[1]) + "?" + q.Encode()
		case kind == "bindcomponent":
			next, method2, form2 = "/wxaopen/safe/bindcomponent/confirm", http.MethodPost, confirmForm(body, c)
		case kind == "componentloginpage":
			if u, ok := ScanURL(body); ok {
				next = u
			}
		default:
			if m := metaRefreshRE.FindStringSubmatch(body); m != nil {
				next = html.UnescapeString(strings.TrimSpace(m[1]))
			} else if m := pcLinkRE.FindStringSubmatch(body); m != nil && !tookPC {
				// Outside WeChat a person takes the button that goes on,
				// once: back on that page after a cancel, they stop.
				next, tookPC = html.UnescapeString(m[1]), true
			}
		}
		if next == "" {
			return &BrowserPage{URL: here, Status: resp.StatusCode, Kind: kind, Text: visibleText(body)}, nil
		}
		if target, err = resolve(here, next); err != nil {
			return nil, err
		}
		referer = refererFor(resp, here)
		method, form = method2, form2
	}
	return nil, errors.New("wechatsim: the browser gave up after 20 page hops")
}

func confirmForm(body string, c BrowserChoice) url.Values {
	f := url.Values{"do": {"confirm"}}
	if c.Cancel {
		f.Set("do", "cancel")
	}
	if m := pageIDRE.FindStringSubmatch(body); m != nil {
		f.Set("page", m[1])
	}
	if c.AppID != "" {
		f.Set("appid", c.AppID)
	}
	for _, m := range permInputRE.FindAllStringSubmatch(body, -1) {
		if id, _ := strconv.Atoi(m[1]); !slices.Contains(c.Untick, id) {
			f.Add("perm", m[1])
		}
	}
	return f
}

// refererFor is the Referer a browser sends from this page: the whole URL,
// or only the origin when the page asks for that.
func refererFor(resp *http.Response, here string) string {
	if resp.Header.Get("Referrer-Policy") == "origin" {
		u := *resp.Request.URL
		return u.Scheme + "://" + u.Host + "/"
	}
	return here
}

func (b *Browser) send(method, target, referer string, form url.Values) (*http.Response, string, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("User-Agent", b.ua)
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("wechatsim: the browser could not open %s: %w", target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(data), err
}
