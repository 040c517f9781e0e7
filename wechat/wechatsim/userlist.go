package wechatsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"oawizard/wechat"
)

// readBody reads a request body whole (at most 1 MiB, like WeChat's limit
// on a JSON post): empty is 44002.
func readBody(r *http.Request) ([]byte, *apiErr) { return readBodyInto(nil, r) }

// readBodyInto is readBody reusing dst when the body fits.
func readBodyInto(dst []byte, r *http.Request) ([]byte, *apiErr) {
	data, err := wechat.ReadBody(dst, r.Body, r.ContentLength, 1<<20)
	if err != nil {
		return nil, errSystem()
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errEmptyPost()
	}
	return data, nil
}

// bodyBufs keep batchget's request buffers between calls: a
// million-follower sync posts ten thousand lists of about 6 KB, and the
// openids read from one are copies (see scanUserList), so the buffer is
// free again once they are read.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// userListOpenIDs reads batchget's {"user_list":[{"openid":…,"lang":…},…]}
// and returns the openids in order; a body that is not JSON is 47001. The
// plain shape every client sends is scanned by hand: through encoding/json
// the simulator spent more CPU decoding a million-follower sync's requests
// than the sync spent storing the rows. Anything else (escapes, other keys,
// other spellings) goes through encoding/json, so the answer never differs.
func userListOpenIDs(data []byte) ([]string, *apiErr) {
	if ids, ok := scanUserList(data); ok {
		return ids, nil
	}
	var req struct {
		UserList []struct {
			OpenID string `json:"openid"`
			Lang   string `json:"lang"`
		} `json:"user_list"`
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, errDataFormat()
	}
	ids := make([]string, len(req.UserList))
	for i, u := range req.UserList {
		ids[i] = u.OpenID
	}
	return ids, nil
}

func scanUserList(data []byte) ([]string, bool) {
	s := scanner{b: string(data)} // one copy; each openid is a slice of it
	if !s.lit('{') || s.str() != "user_list" || !s.lit(':') || !s.lit('[') {
		return nil, false
	}
	ids := make([]string, 0, 100)
	for !s.lit(']') {
		if len(ids) > 0 && !s.lit(',') {
			return nil, false
		}
		id, ok := s.entry()
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	if !s.lit('}') {
		return nil, false
	}
	s.ws()
	return ids, s.i == len(s.b)
}

type scanner struct {
	b string
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\r' || s.b[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes; "\x00" (never a
// key or value here) for anything else.
func (s *scanner) str() string {
	if !s.lit('"') {
		return "\x00"
	}
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i:j]
			s.i = j + 1
			return v
		case c < 0x20 || c >= 0x7f || c == '\\':
			return "\x00"
		}
	}
	return "\x00"
}

// entry reads {"openid":"…"} with an optional "lang", each key once.
func (s *scanner) entry() (string, bool) {
	if !s.lit('{') {
		return "", false
	}
	var id string
	var seenID, seenLang bool
	for n := 0; !s.lit('}'); n++ {
		if n > 0 && !s.lit(',') {
			return "", false
		}
		key := s.str()
		if !s.lit(':') {
			return "", false
		}
		v := s.str()
		switch {
		case v == "\x00":
			return "", false
		case key == "openid" && !seenID:
			id, seenID = v, true
		case key == "lang" && !seenLang:
			seenLang = true
		default:
			return "", false
		}
	}
	return id, true
}
