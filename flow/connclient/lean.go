package connclient

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"oawizard/wechat"
)

// The sync's answers are decoded by hand: through encoding/json, decoding
// every 100-user batchget answer in full by reflection was a third of a
// million-follower sync's CPU time. The decoder works on the answer as one
// string and keeps each field as a slice of it, so a page of followers is a
// few allocations, not three million small ones. Anything it does not
// expect (other keys, escapes in a kept string, numbers that are not
// integers) makes it decline, and encoding/json reads the answer instead:
// it never reads an answer differently.

// decodeUserInfos reads {"user_info_list":[{…},…]} keeping subscribe,
// openid, subscribe_time, unionid and subscribe_scene. ok is false for
// anything else: other top-level keys, escapes in a kept string, bad JSON.
// The users are appended to dst, which is grown to hint when it is smaller.
func decodeUserInfos(raw string, dst []wechat.UserInfo, hint int) (users []wechat.UserInfo, ok bool) {
	d := lean{b: raw}
	if !d.lit('{') || d.key() != "user_info_list" || !d.lit(':') || !d.lit('[') {
		return nil, false
	}
	users = slices.Grow(dst, hint)
	if d.peek() == ']' {
		d.i++
	} else {
		for {
			u, ok := d.user()
			if !ok {
				return nil, false
			}
			users = append(users, u)
			if d.lit(',') {
				continue
			}
			if !d.lit(']') {
				return nil, false
			}
			break
		}
	}
	if !d.lit('}') || d.peek() != 0 {
		return nil, false
	}
	return users, true
}

// decodeUserList reads user/get's {"total":…,"count":…,"data":{"openid":
// […]},"next_openid":…}; ok is false for anything else, as above.
func decodeUserList(raw string) (l *wechat.UserList, ok bool) {
	d := lean{b: raw}
	l = &wechat.UserList{}
	if !d.lit('{') {
		return nil, false
	}
	for n := 0; !d.lit('}'); n++ {
		if n > 0 && !d.lit(',') {
			return nil, false
		}
		k := d.key()
		if !d.lit(':') {
			return nil, false
		}
		var v int64
		switch k {
		case "total":
			v, ok = d.int()
			l.Total = int(v)
		case "count":
			v, ok = d.int()
			l.Count = int(v)
		case "next_openid":
			l.NextOpenID, ok = d.str()
		case "data":
			l.Data.OpenID, ok = d.openids(l.Count)
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
	}
	return l, d.peek() == 0
}

// openids reads {"openid":["…",…]}.
func (d *lean) openids(hint int) ([]string, bool) {
	if !d.lit('{') || d.key() != "openid" || !d.lit(':') || !d.lit('[') {
		return nil, false
	}
	ids := make([]string, 0, hint)
	for !d.lit(']') {
		if len(ids) > 0 && !d.lit(',') {
			return nil, false
		}
		id, ok := d.str()
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, d.lit('}')
}

type lean struct {
	b string
	i int
}

// space and strStop are looked up a byte at a time: a sync decodes about
// 250 MB of answers, and comparing each byte with four spaces (and, in a
// string, with the quote, the backslash and the control characters) one
// after another was most of the decoder's time.
var space, strStop = func() (sp, stop [256]bool) {
	for _, c := range " \n\r\t" {
		sp[c] = true
	}
	for c := range 0x20 {
		stop[c] = true
	}
	stop['"'], stop['\\'] = true, true
	return
}()

func (d *lean) ws() {
	for d.i < len(d.b) && space[d.b[d.i]] {
		d.i++
	}
}

func (d *lean) peek() byte {
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

func (d *lean) lit(c byte) bool {
	if d.peek() != c {
		return false
	}
	d.i++
	return true
}

// str reads a string without escapes; ok is false otherwise.
func (d *lean) str() (string, bool) {
	if !d.lit('"') {
		return "", false
	}
	j := d.i
	for j < len(d.b) && !strStop[d.b[j]] {
		j++
	}
	if j == len(d.b) || d.b[j] != '"' {
		return "", false
	}
	s := d.b[d.i:j]
	d.i = j + 1
	return s, true
}

func (d *lean) key() string {
	k, ok := d.str()
	if !ok {
		return "\x00"
	}
	return k
}

func (d *lean) int() (int64, bool) {
	d.ws()
	j := d.i
	for j < len(d.b) && (d.b[j] == '-' || '0' <= d.b[j] && d.b[j] <= '9') {
		j++
	}
	if n := j - d.i; n > 0 && n <= 18 && d.b[d.i] != '-' {
		// Digits only (a '-' past the first byte fails below as well),
		// too few to overflow: most numbers of an answer.
		var v int64
		for k := d.i; k < j; k++ {
			c := d.b[k]
			if c == '-' {
				return 0, false
			}
			v = v*10 + int64(c-'0')
		}
		d.i = j
		return v, true
	}
	v, err := strconv.ParseInt(d.b[d.i:j], 10, 64)
	if err != nil {
		return 0, false
	}
	d.i = j
	return v, true
}

// skip passes over any JSON value: the common small ones here, the rest
// checked by encoding/json.
func (d *lean) skip() bool {
	switch d.peek() {
	case '"':
		_, ok := d.str()
		if ok {
			return true
		}
	case '[':
		j := d.i + 1
		for j < len(d.b) && d.b[j] == ' ' {
			j++
		}
		if j < len(d.b) && d.b[j] == ']' {
			d.i = j + 1
			return true
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if _, ok := d.int(); ok && d.peek() != '.' && d.peek() != 'e' && d.peek() != 'E' {
			return true
		}
	}
	dec := json.NewDecoder(strings.NewReader(d.b[d.i:]))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return false
	}
	d.i += int(dec.InputOffset())
	return true
}

func (d *lean) user() (u wechat.UserInfo, ok bool) {
	if !d.lit('{') {
		return u, false
	}
	if d.lit('}') {
		return u, true
	}
	for {
		k := d.key()
		if !d.lit(':') {
			return u, false
		}
		var n int64
		switch k {
		case "subscribe":
			n, ok = d.int()
			u.Subscribe = int(n)
		case "subscribe_time":
			u.SubscribeTime, ok = d.int()
		case "openid":
			u.OpenID, ok = d.str()
		case "unionid":
			u.UnionID, ok = d.str()
		case "subscribe_scene":
			u.SubscribeScene, ok = d.str()
		case "language", "remark", "qr_scene_str":
			_, ok = d.str()
		case "groupid", "qr_scene":
			_, ok = d.int()
		default:
			ok = d.skip()
		}
		if !ok {
			return u, false
		}
		if d.lit(',') {
			continue
		}
		return u, d.lit('}')
	}
}
