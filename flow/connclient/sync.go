package connclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oawizard/wechat"
)

// SyncAPI is the relay client the follower sync uses: user/get and batchget
// with the lean decoders of lean.go, which keep only what the sync stores.
// The relay adds the account's access token, so the token the methods take
// (to match wechat.Client's) is not sent.
type SyncAPI struct{ *wechat.Client }

// SyncAPI returns the sync's client for appid (see WeChat).
func (c *Client) SyncAPI(appid string) SyncAPI { return SyncAPI{c.WeChat(appid)} }

// UserInfoBatchGet is wechat.Client's, with the lean decoder.
func (s SyncAPI) UserInfoBatchGet(ctx context.Context, token string, openids []string, lang string) ([]wechat.UserInfo, error) {
	return s.UserInfoBatchGetInto(ctx, openids, lang, nil)
}

// UserInfoBatchGetInto is UserInfoBatchGet appending to dst[:0], so a
// caller that keeps its buffer between calls allocates no users of its own.
func (s SyncAPI) UserInfoBatchGetInto(ctx context.Context, openids []string, lang string, dst []wechat.UserInfo) ([]wechat.UserInfo, error) {
	// Sized for the whole list at once: a buffer short of it doubled,
	// copying what was written, on every one of a sync's ten thousand
	// calls (the estimate of 48 bytes an entry left out the lang).
	size := len(`{"user_list":[]}`)
	for _, id := range openids {
		size += len(`{"openid":"",`) + len(id) + len(`"lang":""},`) + len(lang)
	}
	var body bytes.Buffer
	body.Grow(size)
	body.WriteString(`{"user_list":[`)
	for i, id := range openids {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`{"openid":`)
		writeQuoted(&body, id)
		if lang != "" {
			body.WriteString(`,"lang":`)
			writeQuoted(&body, lang)
		}
		body.WriteByte('}')
	}
	body.WriteString(`]}`)
	const path = "/cgi-bin/user/info/batchget"
	raw, err := s.answer(ctx, http.MethodPost, path, nil, json.RawMessage(body.Bytes()))
	if err != nil {
		return nil, err
	}
	if users, ok := decodeUserInfos(raw, dst[:0], len(openids)); ok {
		return users, nil
	}
	var out struct {
		UserInfoList []wechat.UserInfo `json:"user_info_list"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("wechat: %s: malformed answer: %w", path, err)
	}
	return out.UserInfoList, nil
}

// UserGet is wechat.Client's, with the lean decoder.
func (s SyncAPI) UserGet(ctx context.Context, token, nextOpenID string) (*wechat.UserList, error) {
	const path = "/cgi-bin/user/get"
	q := url.Values{}
	if nextOpenID != "" {
		q.Set("next_openid", nextOpenID)
	}
	raw, err := s.answer(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return nil, err
	}
	if l, ok := decodeUserList(raw); ok {
		return l, nil
	}
	var out wechat.UserList
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("wechat: %s: malformed answer: %w", path, err)
	}
	return &out, nil
}

// answer makes the call and returns WeChat's answer as text, or the
// APIError it carries.
func (s SyncAPI) answer(ctx context.Context, method, path string, q url.Values, body any) (string, error) {
	raw, err := s.DoText(ctx, method, path, q, body)
	if err != nil {
		return "", err
	}
	// Looked for in the text first: the check needs bytes, a copy.
	if strings.Contains(raw, `"errcode"`) {
		if err := wechat.StatusError(path, []byte(raw)); err != nil {
			return "", err
		}
	}
	return raw, nil
}

// writeQuoted writes s as a JSON string. An openid is 28 letters, digits,
// '-' and '_', which need no escaping; marshalling each of a million of them
// through encoding/json was a measurable part of the sync's CPU time.
func writeQuoted(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			b.Write(q)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}
