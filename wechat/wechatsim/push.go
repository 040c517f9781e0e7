package wechatsim

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"oawizard/wechat"
)

// The 授权事件接收URL receives the ticket every PushInterval and the
// authorization events, encrypted exactly as WeChat does (§1.2, §1.11, §8).

func (s *Server) pushLoop() {
	defer s.wg.Done()
	every := s.opts.PushInterval
	if every == 0 {
		every = 10 * time.Minute
	}
	for {
		select {
		case <-s.done:
			return
		case <-s.clk.After(every):
		}
		s.mu.Lock()
		paused := s.pushPaused
		s.mu.Unlock()
		if paused {
			continue
		}
		for _, id := range s.componentIDs() {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				if err := s.PushTicket(id); err != nil && !errors.Is(err, errNoPushURL) {
					s.logf("wechatsim: ticket push for %s: %v", id, err)
				}
			}()
		}
	}
}

func (s *Server) componentIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.components))
	for id := range s.components {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// pushSoon sends a ticket shortly, as WeChat does when the URL is first set
// or pushing is restarted, without blocking the caller.
func (s *Server) pushSoon(componentAppID string) {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.PushTicket(componentAppID); err != nil && !errors.Is(err, errNoPushURL) {
			s.logf("wechatsim: ticket push for %s: %v", componentAppID, err)
		}
	}()
}

var errNoPushURL = errors.New("wechatsim: component has no push URL")

// SetPushURL sets a component's 授权事件接收URL; a first ticket follows soon.
func (s *Server) SetPushURL(componentAppID, pushURL string) {
	s.mu.Lock()
	c := s.components[componentAppID]
	if c == nil {
		s.mu.Unlock()
		return
	}
	c.PushURL = pushURL
	s.mu.Unlock()
	if pushURL != "" {
		s.pushSoon(componentAppID)
	}
}

// AddComponent registers another platform, e.g. a second one pushing to the
// same URL.
func (s *Server) AddComponent(c Component) {
	s.mu.Lock()
	s.components[c.AppID] = &component{Component: c, tickets: map[string]time.Time{}}
	s.mu.Unlock()
	if c.PushURL != "" {
		s.pushSoon(c.AppID)
	}
}

// PausePushes stops (or resumes) the periodic ticket pushes, as when WeChat's
// pushes fail for hours.
func (s *Server) PausePushes(paused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushPaused = paused
}

// DelayPushes makes every push arrive d late (on the simulator's clock).
func (s *Server) DelayPushes(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushDelay = d
}

// SetPushOrder chooses whether the authorized push reaches the platform
// before (true, the default) or after the phone is redirected to the callback.
func (s *Server) SetPushOrder(pushFirst bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushFirst = pushFirst
}

// Ticket is the last ticket pushed to a component.
func (s *Server) Ticket(componentAppID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.components[componentAppID]; c != nil {
		return c.lastTicket
	}
	return ""
}

// PushTicket pushes a new component_verify_ticket now and waits for the
// answer. The ticket is valid from the moment it is sent, whatever the
// receiver does with it.
func (s *Server) PushTicket(componentAppID string) error {
	s.mu.Lock()
	c := s.components[componentAppID]
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("wechatsim: unknown component %s", componentAppID)
	}
	ticket := "ticket@@@" + randomString(86)
	c.tickets[sha256Hex(ticket)] = s.clk.Now()
	c.lastTicket = ticket
	now := s.clk.Now()
	s.mu.Unlock()
	body := fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>%d</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[%s]]></ComponentVerifyTicket></xml>",
		componentAppID, now.Unix(), ticket)
	return s.push(componentAppID, body)
}

// push encrypts inner for the component and POSTs it to its URL, the way
// WeChat does: query signature/timestamp/nonce/encrypt_type/msg_signature,
// body <xml><AppId/><Encrypt/></xml>, and "success" expected back.
func (s *Server) push(componentAppID, inner string) error {
	s.mu.Lock()
	c := s.components[componentAppID]
	if c == nil || c.PushURL == "" {
		s.mu.Unlock()
		return errNoPushURL
	}
	comp := c.Component
	delay := s.pushDelay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-s.clk.After(delay):
		case <-s.done:
			return errors.New("wechatsim: closed")
		}
	}
	mc, err := wechat.NewMsgCrypt(comp.Token, comp.EncodingAESKey, comp.AppID)
	if err != nil {
		return fmt.Errorf("wechatsim: component %s crypto: %w", comp.AppID, err)
	}
	ts := strconv.FormatInt(s.clk.Now().Unix(), 10)
	nonce := randomNonce()
	enc, msgSig, err := mc.Encrypt([]byte(inner), ts, nonce)
	if err != nil {
		return err
	}
	q := url.Values{
		"signature":     {wechat.PlainSignature(comp.Token, ts, nonce)},
		"timestamp":     {ts},
		"nonce":         {nonce},
		"encrypt_type":  {"aes"},
		"msg_signature": {msgSig},
	}
	target := comp.PushURL
	if strings.Contains(target, "?") {
		target += "&" + q.Encode()
	} else {
		target += "?" + q.Encode()
	}
	outer := fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><Encrypt><![CDATA[%s]]></Encrypt></xml>", comp.AppID, enc)
	resp, err := s.hc.Post(target, "text/xml", bytes.NewBufferString(outer))
	if err != nil {
		return fmt.Errorf("wechatsim: push to %s: %w", comp.PushURL, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	// WeChat expects the plain text "success"; anything else is logged by
	// its side and the push is not retried at once.
	if resp.StatusCode != 200 || strings.TrimSpace(string(reply)) != "success" {
		return fmt.Errorf("wechatsim: push to %s answered %d %q", comp.PushURL, resp.StatusCode, trimReply(reply))
	}
	return nil
}

func trimReply(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

// randomNonce imitates WeChat's numeric nonces.
func randomNonce() string {
	var b [4]byte
	rand.Read(b[:])
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
}

func authEventXML(componentAppID, infoType, authorizer, code string, codeExpires time.Time, preAuth string, now time.Time) string {
	if infoType == "unauthorized" {
		return fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>%d</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[%s]]></AuthorizerAppid></xml>",
			componentAppID, now.Unix(), authorizer)
	}
	// AuthorizationCodeExpiredTime is documented in seconds but observed as
	// a Unix timestamp (§1.11); the simulator sends what was observed.
	return fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>%d</CreateTime><InfoType><![CDATA[%s]]></InfoType><AuthorizerAppid><![CDATA[%s]]></AuthorizerAppid><AuthorizationCode><![CDATA[%s]]></AuthorizationCode><AuthorizationCodeExpiredTime>%d</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[%s]]></PreAuthCode></xml>",
		componentAppID, now.Unix(), infoType, authorizer, code, codeExpires.Unix(), preAuth)
}

// revoke ends an authorization: its tokens stop working (40001) and its
// refresh token is invalid (61023). It reports whether anything changed.
func (s *Server) revoke(componentAppID, authorizerAppID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.auths[authKey{componentAppID, authorizerAppID}]
	if a == nil || a.revoked {
		return false
	}
	a.revoked = true
	for _, t := range s.tokens {
		if t.kind == kindAuthorizer && t.appid == authorizerAppID && t.component == componentAppID {
			t.revoked = true
		}
	}
	return true
}

func (s *Server) pushUnauthorized(componentAppID, authorizerAppID string) error {
	err := s.push(componentAppID, authEventXML(componentAppID, "unauthorized", authorizerAppID, "", time.Time{}, "", s.clk.Now()))
	if err != nil && !errors.Is(err, errNoPushURL) {
		s.logf("wechatsim: unauthorized push: %v", err)
		return err
	}
	return nil
}

// Unauthorize is the admin de-authorizing the platform in the back office:
// the authorization ends and an unauthorized event is pushed.
func (s *Server) Unauthorize(componentAppID, authorizerAppID string) error {
	if !s.revoke(componentAppID, authorizerAppID) {
		return fmt.Errorf("wechatsim: %s has not authorized %s", authorizerAppID, componentAppID)
	}
	return s.pushUnauthorized(componentAppID, authorizerAppID)
}

// UpdateAuthorization changes the granted permission sets, as an admin does
// in 授权管理, and pushes updateauthorized with a fresh code. WeChat sends
// nothing when the sets did not change.
func (s *Server) UpdateAuthorization(componentAppID, authorizerAppID string, funcIDs []int) error {
	s.mu.Lock()
	a := s.auths[authKey{componentAppID, authorizerAppID}]
	if a == nil || a.revoked {
		s.mu.Unlock()
		return fmt.Errorf("wechatsim: %s has not authorized %s", authorizerAppID, componentAppID)
	}
	ids := slices.Clone(funcIDs)
	slices.Sort(ids)
	if slices.Equal(ids, a.funcIDs) {
		s.mu.Unlock()
		return nil
	}
	a.funcIDs = ids
	code := s.newAuthCode(componentAppID, authorizerAppID)
	now := s.clk.Now()
	s.mu.Unlock()
	return s.push(componentAppID, authEventXML(componentAppID, "updateauthorized", authorizerAppID, code.value, code.expires, "", now))
}
