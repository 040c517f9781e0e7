package wechat

import (
	"errors"
	"fmt"
	"strings"
)

// APIError is WeChat's in-band error: every endpoint answers HTTP 200 and puts
// failures in errcode/errmsg, so each response is checked, never just the status.
type APIError struct {
	Code int    // errcode
	Msg  string // errmsg without the trailing " rid: …"
	RID  string // request id WeChat support asks for
	// Path is the API that answered ("/cgi-bin/user/get"), when known:
	// whose quota a 45009 spent depends on it.
	Path string
}

func (e *APIError) Error() string {
	if e.RID != "" {
		return fmt.Sprintf("wechat: errcode %d: %s (rid: %s)", e.Code, e.Msg, e.RID)
	}
	return fmt.Sprintf("wechat: errcode %d: %s", e.Code, e.Msg)
}

// ParseAPIError builds the error for an errcode/errmsg pair that reached us by
// another way than a direct WeChat answer (the connector passes them on).
func ParseAPIError(code int, errmsg string) *APIError { return newAPIError(code, errmsg) }

// newAPIError splits WeChat's "… rid: 64f0…" suffix off the message.
func newAPIError(code int, msg string) *APIError {
	e := &APIError{Code: code, Msg: strings.TrimSpace(msg)}
	if i := strings.LastIndex(e.Msg, "rid:"); i >= 0 {
		e.RID = strings.TrimSpace(e.Msg[i+len("rid:"):])
		e.Msg = strings.TrimSpace(e.Msg[:i])
	}
	return e
}

// ErrorCode returns the errcode carried by err, or 0 when err is not an APIError.
func ErrorCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// IsCode reports whether err is an APIError with one of the given codes.
func IsCode(err error, codes ...int) bool {
	c := ErrorCode(err)
	if c == 0 {
		return false
	}
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// Codes WeChat uses to say a token must be fetched again.
const (
	CodeInvalidCredential  = 40001
	CodeInvalidAccessToken = 40014
	CodeAccessTokenExpired = 42001
)

// IsTokenError reports whether err means the token used is no longer good and
// one refresh followed by one retry is the right reaction.
func IsTokenError(err error) bool {
	return IsCode(err, CodeInvalidCredential, CodeInvalidAccessToken, CodeAccessTokenExpired)
}
