package connector

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// A second visit to a scanned session's landing page means one of two
// things: the admin came back from WeChat's page without confirming (a
// cancel), or somebody else scanned the same QR code, typically the real
// admin after a colleague who is not an admin was refused. The landing page
// leaves a cookie in each browser it sends to WeChat, so only the browser
// that already went there can cancel; a new browser simply continues.

const visitCookiePrefix = "oaw_v_"

// visitMAC is the cookie's value for session id: keyed from the store key,
// so nobody can make one up, and unchanged across a restart.
func (s *Server) visitMAC(id string) string {
	k := sha256.Sum256([]byte("landing-visit\x00" + s.cfg.Secrets.StoreKey))
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// markVisitor remembers, in the browser, that it was sent on to WeChat for x.
func (s *Server) markVisitor(w http.ResponseWriter, x Session) {
	http.SetCookie(w, &http.Cookie{Name: visitCookiePrefix + x.ID, Value: s.visitMAC(x.ID), Path: "/a/" + x.Code,
		Expires: x.ExpiresAt, HttpOnly: true, Secure: strings.HasPrefix(s.cfg.PublicURL, "https://"),
		SameSite: http.SameSiteLaxMode})
}

// returningVisitor reports whether r comes from a browser markVisitor
// already sent to WeChat for x.
func (s *Server) returningVisitor(r *http.Request, x Session) bool {
	c, err := r.Cookie(visitCookiePrefix + x.ID)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.visitMAC(x.ID))) == 1
}
