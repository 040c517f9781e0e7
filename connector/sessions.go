package connector

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

var appIDRE = regexp.MustCompile(`^wx[0-9a-f]{16}$`)

// codeAlphabet leaves out characters that look alike on a shared screen.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newCode() string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

func (s *Server) view(x Session) api.Session {
	nz := func(v []int) []int {
		if v == nil {
			return []int{}
		}
		return v
	}
	return api.Session{ID: x.ID, Code: x.Code, Status: x.Status, Version: x.Version,
		QRURL: s.cfg.PublicURL + "/a/" + x.Code, PCURL: s.cfg.PublicURL + "/a/" + x.Code + "?pc=1",
		ExpectedAppID: x.ExpectedAppID, AppID: x.AppID, NickName: x.NickName, Granted: nz(x.Granted), Missing: nz(x.Missing),
		Reason: x.Reason, ExpiresAt: x.ExpiresAt.UTC(), UpdatedAt: x.UpdatedAt.UTC()}
}

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AppID string `json:"appid"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, "body must be {\"appid\": \"wx…\"}", nil)
		return
	}
	appid := strings.ToLower(strings.TrimSpace(req.AppID))
	if !appIDRE.MatchString(appid) {
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, "appid must be wx followed by 16 hexadecimal characters", nil)
		return
	}
	now := s.cfg.Clock.Now()
	x := Session{ID: "s_" + randomID(10), Project: projectOf(r), ExpectedAppID: appid, Status: api.StatusPending,
		Version: 1, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), UpdatedAt: now}
	var err error
	for range 5 { // a code collision is rare; try again with another
		x.Code = newCode()
		if err = s.st.CreateSession(r.Context(), x); !duplicate(err) {
			break
		}
	}
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.view(x))
}

// loadSession reads a session and turns an unfinished one past its expiry
// into expired.
func (s *Server) loadSession(ctx context.Context, id string) (Session, error) {
	x, err := s.st.Session(ctx, id)
	if err != nil {
		return x, err
	}
	if open(x.Status) && !s.cfg.Clock.Now().Before(x.ExpiresAt) {
		return s.updateSession(ctx, id, func(x *Session) bool {
			if !open(x.Status) {
				return false
			}
			x.Status = api.StatusExpired
			return true
		})
	}
	return x, nil
}

func open(status string) bool {
	return status == api.StatusPending || status == api.StatusScanned || status == api.StatusCancelled
}

// updateSession applies change and stores it if change reports a change,
// retrying when another writer got there first.
func (s *Server) updateSession(ctx context.Context, id string, change func(*Session) bool) (Session, error) {
	for {
		x, err := s.st.Session(ctx, id)
		if err != nil {
			return x, err
		}
		prev := x.Version
		if !change(&x) {
			return x, nil
		}
		x.Version, x.UpdatedAt = prev+1, s.cfg.Clock.Now()
		err = s.st.UpdateSession(ctx, x, prev)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err == nil {
			s.watch.notify(id)
		}
		return x, err
	}
}

// handleGetSession long-polls: it answers when the version passes since, or
// when wait runs out.
func (s *Server) handleGetSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	wait = min(max(wait, 0), 60*time.Second)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	s.metrics.waiting.Inc()
	defer s.metrics.waiting.Dec()
	for {
		changed, release := s.watch.wait(id)
		x, err := s.loadSession(r.Context(), id)
		if err != nil || x.Version > since {
			release()
		}
		if errors.Is(err, ErrNotFound) || (err == nil && x.Project != projectOf(r)) {
			writeError(w, http.StatusNotFound, api.ErrorNotFound, "no such session", nil)
			return
		}
		if err != nil {
			s.writeFailure(w, r, err)
			return
		}
		if x.Version > since {
			writeJSON(w, http.StatusOK, s.view(x))
			return
		}
		// Another instance may change the session without waking us (a
		// store without a change feed), and expiry is a matter of time
		// passing: look again now and then.
		tick := time.NewTimer(s.recheckAfter(x))
		select {
		case <-changed:
		case <-tick.C:
		case <-deadline.C:
			tick.Stop()
			release()
			writeJSON(w, http.StatusOK, s.view(x))
			return
		case <-r.Context().Done():
			tick.Stop()
			release()
			return
		}
		tick.Stop()
		release()
	}
}

// errCodeClaimed: the code already completed or failed a session (or is
// being exchanged for one); it never completes another.
var errCodeClaimed = errors.New("connector: the authorization code belongs to another session or was already used")

// waiting reports whether a session may still be completed by a callback:
// unfinished, not expired, and its landing page handed the admin to WeChat.
func (s *Server) waiting(x Session) bool {
	return open(x.Status) && x.Visits > 0 && s.cfg.Clock.Now().Before(x.ExpiresAt)
}

// completeByPush handles an authorization push. WeChat signed it, and its
// PreAuthCode names the session whose landing page minted it; a push naming
// no session (a change made in WeChat's back office) only updates the
// authorizer and links no project.
func (s *Server) completeByPush(ctx context.Context, code, preAuth string) (Session, error) {
	var id string
	if preAuth != "" {
		x, err := s.st.SessionByPreAuthCode(ctx, codeHash(preAuth))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return x, err
		}
		id = x.ID
		s.forgetPreAuth(ctx, id)
	}
	return s.redeem(ctx, code, id, false)
}

// redeem claims code for session id (once, for good), exchanges it with
// WeChat and finishes the session. A code claimed by another session is
// refused without a WeChat call; one claimed by this session (the push and
// the callback both carry it) finishes it with the account already known.
// With keepOpen (a callback: anyone who saw the QR code can make one up) a
// code WeChat refuses, or a store that fails, leaves the session as it
// was, so the admin's real confirmation still completes it.
func (s *Server) redeem(ctx context.Context, code, id string, keepOpen bool) (Session, error) {
	h := codeHash(code)
	v, exErr, _ := s.tok.group.Do("code:"+h, func() (any, error) {
		fresh, owner, err := s.st.ClaimCode(ctx, h, id, s.cfg.Clock.Now())
		switch {
		case err != nil:
			return Authorizer{}, err
		case fresh:
			return s.exchange(ctx, code, h)
		case owner != id:
			// A push naming session id whose code another session
			// already redeemed would mean the code leaked before its
			// own callback arrived: say so loudly.
			level := slog.LevelWarn
			if id != "" && owner != "" {
				level = slog.LevelError
			}
			s.log.Log(ctx, level, "authorization code refused: claimed by another session", "session", id, "claimed_by", owner)
			return Authorizer{}, errCodeClaimed
		}
		_, appid, err := s.st.CodeClaim(ctx, h)
		if err != nil || appid == "" {
			return Authorizer{}, errors.New("connector: authorization code is being handled elsewhere or failed")
		}
		return s.st.Authorizer(ctx, appid)
	})
	if id == "" {
		return Session{}, exErr
	}
	if errors.Is(exErr, errCodeClaimed) {
		x, err := s.st.Session(ctx, id)
		if err != nil {
			return x, err
		}
		return x, exErr
	}
	if exErr != nil && keepOpen && (wechat.ErrorCode(exErr) != 0 || storeFailure(exErr)) {
		x, err := s.st.Session(ctx, id)
		if err != nil {
			return x, err
		}
		return x, exErr
	}
	if exErr != nil {
		reason := api.RefusalReason(wechat.ErrorCode(exErr))
		x, _ := s.updateSession(ctx, id, func(x *Session) bool {
			if !open(x.Status) {
				return false
			}
			x.Status, x.Reason = api.StatusFailed, reason
			return true
		})
		return x, exErr
	}
	return s.finish(ctx, id, v.(Authorizer))
}

// exchange turns a freshly claimed code into a recorded authorizer.
func (s *Server) exchange(ctx context.Context, code, hash string) (Authorizer, error) {
	now := s.cfg.Clock.Now()
	var qa *wechat.QueryAuthResult
	err := s.tok.withComponent(ctx, func(ctok string) error {
		var e error
		qa, e = s.wc.QueryAuth(ctx, ctok, s.cfg.ComponentAppID, code)
		return e
	})
	if err != nil {
		return Authorizer{}, err
	}
	info := qa.AuthorizationInfo
	a, err := s.st.Authorizer(ctx, info.AuthorizerAppID)
	if errors.Is(err, ErrNotFound) {
		a = Authorizer{AppID: info.AuthorizerAppID}
	} else if err != nil {
		return a, err
	}
	a.FuncIDs, a.Status, a.AuthorizedAt, a.UpdatedAt = wechat.PermissionIDs(info.FuncInfo), AuthorizerActive, now, now
	if info.AuthorizerRefreshToken != "" {
		a.RefreshSealed = s.tok.seal.seal(info.AuthorizerRefreshToken, refreshAAD(a.AppID))
	} else {
		a.Status = AuthorizerNoAPIRefresh
	}
	// A re-authorization made the old authorizer token useless.
	s.tok.dropAuthorizer(ctx, a.AppID)
	if info.AuthorizerAccessToken != "" {
		exp := now.Add(time.Duration(info.ExpiresIn) * time.Second)
		if err := s.tok.keep(ctx, authorizerKey(a.AppID), info.AuthorizerAccessToken, exp); err != nil {
			s.log.Warn("token not persisted", "appid", a.AppID, "err", err.Error())
		}
	}
	s.tok.withComponent(ctx, func(ctok string) error {
		ai, e := s.wc.AuthorizerInfo(ctx, ctok, s.cfg.ComponentAppID, a.AppID)
		if e == nil {
			a.NickName = ai.AuthorizerInfo.NickName
			if ai.AuthorizerInfo.MiniProgramInfo != nil {
				a.Kind = "mp"
			}
		}
		return e
	})
	if err := s.st.SaveAuthorizer(ctx, a); err != nil {
		return a, err
	}
	if err := s.st.SetCodeAppID(ctx, hash, a.AppID); err != nil {
		return a, err
	}
	s.log.Info("authorization recorded", "appid", a.AppID, "granted", a.FuncIDs)
	return a, nil
}

// missingSets lists requested permission sets the admin withheld. A
// mini-program has its own sets: 账号服务 is 30 there, 开放平台账号管理 25,
// and 用户管理 does not exist.
func missingSets(requested, granted []int, mp bool) []int {
	var out []int
	for _, set := range requested {
		want := set
		if mp {
			switch set {
			case 2:
				continue
			case 3:
				want = 30
			case 24:
				want = 25
			}
		}
		if !slices.Contains(granted, want) {
			out = append(out, set)
		}
	}
	return out
}

// finish completes a session with the account that authorized. The account
// is linked to the session's project before the session says so: a wizard
// woken by "authorized" asks for the account's facts at once, and found it
// not yet linked when the link came second.
func (s *Server) finish(ctx context.Context, id string, a Authorizer) (Session, error) {
	x, err := s.st.Session(ctx, id)
	if err != nil {
		return x, err
	}
	if open(x.Status) && a.AppID == x.ExpectedAppID {
		if err := s.st.LinkAccount(ctx, x.Project, a.AppID, s.cfg.Clock.Now()); err != nil {
			return x, err
		}
		s.forgetLinks(a.AppID)
	}
	x, err = s.updateSession(ctx, id, func(x *Session) bool {
		if !open(x.Status) {
			return false
		}
		x.AppID, x.NickName, x.Granted, x.Reason = a.AppID, a.NickName, a.FuncIDs, ""
		x.Missing = missingSets(s.cfg.PermissionSets, a.FuncIDs, a.Kind == "mp")
		x.Status = api.StatusAuthorized
		if x.AppID != x.ExpectedAppID {
			x.Status = api.StatusWrongAccount
		}
		return true
	})
	if err == nil && x.Status == api.StatusAuthorized && x.AppID == a.AppID {
		s.background(func(ctx context.Context) { s.refreshFacts(ctx, a.AppID) })
	}
	return x, err
}
