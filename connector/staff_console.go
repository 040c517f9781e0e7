package connector

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The console's pages: sign-in, the overview (every project and account,
// the connector's health, a box for a support code) and a customer's live
// view. Server-rendered; live.js re-reads the page when the events stream
// says something changed.

//go:embed staffweb
var staffWeb embed.FS

var staffTmpl = template.Must(template.New("").Funcs(template.FuncMap{"t": func(string) string { return "" }}).
	ParseFS(staffWeb, "staffweb/console.html"))

// staffPage is the data every page gets.
type staffPage struct {
	Lang, Staff, CSRF, Live, Error, Link string
	Health                               healthView
	Projects                             []projectView
	View                                 *snapshotView
}

func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, status int, name string, p staffPage) {
	l := tr(staffLang(r))
	p.Lang = string(l)
	t, err := staffTmpl.Clone()
	if err == nil {
		t.Funcs(template.FuncMap{"t": func(k string) string { return l.t(k) }})
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Vary", "Accept-Language, Cookie")
	if err != nil {
		http.Error(w, "template", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("staff page not rendered", "request_id", infoOf(r).id, "page", name, "err", err.Error())
	}
}

// staffFailure answers a console page that failed: a store that cannot
// answer is a page saying the server is busy (503, Retry-After), in the
// staff's language; anything else is answered as the API answers it.
func (s *Server) staffFailure(w http.ResponseWriter, r *http.Request, err error) {
	if !storeFailure(err) || r.Context().Err() != nil {
		s.writeFailure(w, r, err)
		return
	}
	s.metrics.storeErrs.Inc()
	s.log.Error("staff page failed", "request_id", infoOf(r).id, "path", r.URL.Path, "reason", ReasonStoreUnavailable, "err", err.Error())
	w.Header().Set("Retry-After", storeRetryAfter)
	s.renderStaff(w, r, http.StatusServiceUnavailable, "busy", staffPage{})
}

// staffOnly serves a console page to a signed-in member of staff and the
// sign-in page to anyone else; every view is logged with who saw it.
func (s *Server) staffOnly(h func(http.ResponseWriter, *http.Request, staffSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok, err := s.staffFrom(r)
		if err != nil {
			s.staffFailure(w, r, err)
			return
		}
		if !ok {
			if r.Method != http.MethodGet || r.URL.Path == staffPath+"/events" {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			s.renderStaff(w, r, http.StatusUnauthorized, "signin", staffPage{})
			return
		}
		if r.Method == http.MethodPost && !staffPost(r, ss) {
			s.log.Warn("staff form refused", "request_id", infoOf(r).id, "staff_id", ss.staff.ID, "path", r.URL.Path)
			http.Error(w, "this form did not come from the console", http.StatusForbidden)
			return
		}
		infoOf(r).project = "staff:" + ss.staff.ID
		h(w, r, ss)
	}
}

func (s *Server) staffRoutes(mux *http.ServeMux) {
	if _, err := staffOf(s.st); err != nil {
		return
	}
	mux.Handle("POST /v1/support/snapshot", s.auth(s.handlePublishSnapshot))
	mux.HandleFunc("GET /staff", s.staffOnly(s.handleStaffOverview))
	mux.HandleFunc("GET /staff/view/{id}", s.staffOnly(s.handleStaffView))
	mux.HandleFunc("GET /staff/events", s.staffOnly(s.handleStaffEvents))
	mux.HandleFunc("POST /staff/find", s.staffOnly(s.handleStaffFind))
	mux.HandleFunc("POST /staff/signout", s.staffOnly(s.handleStaffSignOut))
	mux.Handle("POST /staff/signin", s.perClient(s.handleStaffSignIn))
	mux.Handle("GET /staff/link", s.perClient(func(w http.ResponseWriter, r *http.Request) {
		s.renderStaff(w, r, http.StatusOK, "link", staffPage{Link: "yes"})
	}))
	mux.HandleFunc("GET /staff/{file}", s.handleStaffFile)
}

func (s *Server) handleStaffFile(w http.ResponseWriter, r *http.Request) {
	types := map[string]string{"console.css": "text/css; charset=utf-8", "live.js": "text/javascript; charset=utf-8",
		"link.js": "text/javascript; charset=utf-8"}
	ct, ok := types[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := staffWeb.ReadFile("staffweb/" + r.PathValue("file"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

func (s *Server) handleStaffSignIn(w http.ResponseWriter, r *http.Request) {
	l := tr(staffLang(r))
	if !sameOrigin(r) {
		http.Error(w, "this form did not come from the console", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if wait, ok := s.staffLimits.allow("signin:" + s.clientAddr(r)); !ok {
		s.renderStaff(w, r, http.StatusTooManyRequests, "signin", staffPage{Error: l.t("signin.busy", int(wait/time.Second)+1)})
		return
	}
	hash := HashToken(strings.TrimSpace(r.PostFormValue("token")))
	page, why := "signin", l.t("signin.wrong")
	if link := r.PostFormValue("link"); link != "" {
		var ok bool
		if hash, ok = s.takeLink(link); !ok {
			page, why = "link", l.t("link.used")
		}
	}
	ok, err := s.signIn(w, r, hash)
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	if !ok {
		s.log.Warn("staff sign-in refused", "request_id", infoOf(r).id, "client", s.clientAddr(r))
		s.renderStaff(w, r, http.StatusUnauthorized, page, staffPage{Error: why})
		return
	}
	http.Redirect(w, r, staffPath, http.StatusSeeOther)
}

func (s *Server) handleStaffSignOut(w http.ResponseWriter, r *http.Request, ss staffSession) {
	if c, err := r.Cookie(staffCookie); err == nil {
		if d, err := staffOf(s.st); err == nil {
			if err := d.deleteSession(r.Context(), HashToken(c.Value)); err != nil {
				s.staffFailure(w, r, err)
				return
			}
		}
	}
	http.SetCookie(w, s.staffCookieFor(r, staffCookie, "", -1))
	http.Redirect(w, r, staffPath, http.StatusSeeOther)
}

// setLang remembers a language chosen with the toggle.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) *http.Request {
	l := r.URL.Query().Get("lang")
	if staffTexts[l] == nil {
		return r
	}
	http.SetCookie(w, &http.Cookie{Name: staffLangCookie, Value: l, Path: staffPath, MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: !loopbackHost(r.Host)})
	r2 := r.Clone(r.Context())
	r2.Header.Del("Cookie")
	for _, c := range r.Cookies() {
		if c.Name != staffLangCookie {
			r2.AddCookie(c)
		}
	}
	r2.AddCookie(&http.Cookie{Name: staffLangCookie, Value: l})
	return r2
}

func (s *Server) handleStaffOverview(w http.ResponseWriter, r *http.Request, ss staffSession) {
	r = s.setLang(w, r)
	p := staffPage{Staff: ss.staff.Name, CSRF: ss.csrf, Live: staffTopicAll}
	l := tr(staffLang(r))
	p.Health = s.healthFor(r, l)
	projects, err := s.projectsFor(r, l)
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	p.Projects = projects
	s.log.Info("staff view", "request_id", infoOf(r).id, "staff", ss.staff.Name, "staff_id", ss.staff.ID, "project", "*")
	s.renderStaff(w, r, http.StatusOK, "overview", p)
}

func (s *Server) handleStaffFind(w http.ResponseWriter, r *http.Request, ss staffSession) {
	l := tr(staffLang(r))
	page := func(status int, msg string) {
		p := staffPage{Staff: ss.staff.Name, CSRF: ss.csrf, Error: msg, Live: staffTopicAll}
		p.Health = s.healthFor(r, l)
		if ps, err := s.projectsFor(r, l); err == nil {
			p.Projects = ps
		}
		s.renderStaff(w, r, status, "overview", p)
	}
	if wait, ok := s.staffLimits.allow("find:" + ss.staff.ID); !ok {
		page(http.StatusTooManyRequests, l.t("find.busy", int(wait/time.Second)+1))
		return
	}
	d, err := staffOf(s.st)
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	code := normalCode(r.PostFormValue("code"))
	x, err := d.snapshotByCode(r.Context(), HashToken(code))
	if code == "" || errors.Is(err, ErrNotFound) || (err == nil && !s.cfg.Clock.Now().Before(x.ExpiresAt)) {
		s.log.Warn("support code not found", "request_id", infoOf(r).id, "staff_id", ss.staff.ID)
		page(http.StatusNotFound, l.t("find.unknown"))
		return
	}
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	http.Redirect(w, r, staffPath+"/view/"+x.ID, http.StatusSeeOther)
}

func (s *Server) handleStaffView(w http.ResponseWriter, r *http.Request, ss staffSession) {
	r = s.setLang(w, r)
	l := tr(staffLang(r))
	d, err := staffOf(s.st)
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	x, err := d.snapshot(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrNotFound) || (err == nil && !s.cfg.Clock.Now().Before(x.ExpiresAt)) {
		http.Redirect(w, r, staffPath, http.StatusSeeOther)
		return
	}
	if err != nil {
		s.staffFailure(w, r, err)
		return
	}
	var b snapshotBody
	if err := json.Unmarshal(x.Body, &b); err != nil {
		s.staffFailure(w, r, fmt.Errorf("connector: stored snapshot: %w", err))
		return
	}
	p := staffPage{Staff: ss.staff.Name, CSRF: ss.csrf, Live: snapshotTopic(x.ID)}
	p.Health = s.healthFor(r, l)
	p.View = s.viewOf(r, l, x, b)
	infoOf(r).project = x.Project
	s.log.Info("staff view", "request_id", infoOf(r).id, "staff", ss.staff.Name, "staff_id", ss.staff.ID, "project", x.Project)
	s.renderStaff(w, r, http.StatusOK, "view", p)
}

// streamGate ends the console's event streams when the server shuts down:
// unlike long-polls they would hold a graceful shutdown for its whole
// grace period, and the browser reconnects (to another instance) anyway.
type streamGate struct {
	mu     sync.Mutex
	ch     chan struct{}
	closed bool
}

func (g *streamGate) done() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

// EndStreams closes the staff console's event streams; give it to
// http.Server.RegisterOnShutdown.
func (s *Server) EndStreams() {
	g := &s.streams
	g.done()
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		close(g.ch)
		g.closed = true
	}
}

// staffEventsFor bounds one events stream; the browser reconnects.
const staffEventsFor = 5 * time.Minute

// staffTick refreshes the overview even when nothing was published:
// authorizations and the connector's health change without a snapshot.
const staffTick = 10 * time.Second

func (s *Server) handleStaffEvents(w http.ResponseWriter, r *http.Request, ss staffSession) {
	topic := r.URL.Query().Get("topic")
	if topic != staffTopicAll && !strings.HasPrefix(topic, snapshotTopic("ss_")) {
		http.Error(w, "unknown topic", http.StatusBadRequest)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "retry: 2000\n\n")
	fl.Flush()
	end := time.NewTimer(staffEventsFor)
	defer end.Stop()
	tick := time.NewTicker(staffTick)
	defer tick.Stop()
	closing := s.streams.done()
	for {
		ch, release := s.watch.wait(topic)
		select {
		case <-ch:
		case <-tick.C:
		case <-end.C:
			release()
			return
		case <-r.Context().Done():
			release()
			return
		case <-s.ctx.Done():
			release()
			return
		case <-closing:
			release()
			return
		}
		release()
		fmt.Fprint(w, "event: change\ndata: 1\n\n")
		fl.Flush()
	}
}

// permWords names permission sets in words, with their numbers for staff.
func permWords(l tr, ids []int) string {
	var out []string
	for _, id := range slices.Sorted(slices.Values(ids)) {
		name := l.t(fmt.Sprintf("perm.%d", id))
		if !l.has(fmt.Sprintf("perm.%d", id)) {
			name = l.t("perm.set", id)
		} else {
			name += fmt.Sprintf(" (%d)", id)
		}
		out = append(out, name)
	}
	return strings.Join(out, l.t("list.sep"))
}
