package connclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"oawizard/wechat"
)

// SyncAPI is the relay client the follower sync uses. It answers batchget
// with a decoder that keeps only the five fields the sync stores: decoding
// each 100-user answer in full through reflection was a third of a
// million-follower sync's CPU time. Anything it does not expect falls back
// to encoding/json, so it never reads an answer differently.
type SyncAPI struct{ *wechat.Client }

// SyncAPI returns the sync's client for appid (see WeChat).
func (c *Client) SyncAPI(appid string) SyncAPI { return SyncAPI{c.WeChat(appid)} }

// UserInfoBatchGet is wechat.Client's, with the lean decoder.
func (s SyncAPI) UserInfoBatchGet(ctx context.Context, token string, openids []string, lang string) ([]wechat.UserInfo, error) {
	var body bytes.Buffer
	body.Grow(len(openids)*48 + 16)
	body.WriteString(`{"user_list":[`)
	for i, id := range openids {
		if i > 0 {
			body.WriteByte(',')
		}
		b, _ := json.Marshal(id)
		body.WriteString(`{"openid":`)
		body.Write(b)
		if lang != "" {
			body.WriteString(`,"lang":`)
			b, _ = json.Marshal(lang)
			body.Write(b)
		}
		body.WriteByte('}')
	}
	body.WriteString(`]}`)
	raw, err := s.DoRaw(ctx, http.MethodPost, "/cgi-bin/user/info/batchget", nil, json.RawMessage(body.Bytes()))
	if err != nil {
		return nil, err
	}
	if bytes.Contains(raw, []byte(`"errcode"`)) {
		var st struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("wechat: /cgi-bin/user/info/batchget: malformed answer: %w", err)
		}
		if st.ErrCode != 0 {
			return nil, wechat.ParseAPIError(st.ErrCode, st.ErrMsg)
		}
	}
	if users, ok := decodeUserInfos(raw, len(openids)); ok {
		return users, nil
	}
	var out struct {
		UserInfoList []wechat.UserInfo `json:"user_info_list"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("wechat: /cgi-bin/user/info/batchget: malformed answer: %w", err)
	}
	return out.UserInfoList, nil
}

// decodeUserInfos reads {"user_info_list":[{…},…]} keeping subscribe,
// openid, subscribe_time, unionid and subscribe_scene. ok is false for
// anything else: other top-level keys, escapes in a kept string, bad JSON.
func decodeUserInfos(raw []byte, hint int) (users []wechat.UserInfo, ok bool) {
	d := lean{b: raw}
	if !d.lit('{') || d.key() != "user_info_list" || !d.lit(':') || !d.lit('[') {
		return nil, false
	}
	users = make([]wechat.UserInfo, 0, hint)
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

type lean struct {
	b []byte
	i int
}

func (d *lean) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\r' || d.b[d.i] == '\t') {
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
	end := bytes.IndexByte(d.b[d.i:], '"')
	if end < 0 {
		return "", false
	}
	s := d.b[d.i : d.i+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return "", false
	}
	for _, c := range s {
		if c < 0x20 {
			return "", false
		}
	}
	d.i += end + 1
	return string(s), true
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
	v, err := strconv.ParseInt(string(d.b[d.i:j]), 10, 64)
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
	dec := json.NewDecoder(bytes.NewReader(d.b[d.i:]))
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
