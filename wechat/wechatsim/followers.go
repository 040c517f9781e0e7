package wechatsim

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"oawizard/wechat"
)

// Followers are never stored: follower i of an account is computed from the
// appid and i, so millions cost no memory and every run sees the same ids.
// Follower i of an Official Account is person i of its Open Platform account:
// PersonUnionID(open, i) is follower i's unionid, and MPOpenID(mp, i) is the
// same person's openid in a mini-program bound to that Open Platform account.

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// An openid is "o" + 6-char account tag + 8-char scrambled index + 13-char
// check, 28 characters like WeChat's, so user/get's next_openid and batchget
// lookups are O(1) without a table. The per-account keys are cached because
// a sync derives millions of ids.
type idKeys struct {
	tag  string
	key  uint64 // scrambles the index
	seed uint64 // feeds the check characters
}

var keyCache sync.Map // appid → idKeys

func keysFor(appid string) idKeys {
	if k, ok := keyCache.Load(appid); ok {
		return k.(idKeys)
	}
	h := sha256.Sum256([]byte("tag:" + appid))
	b := make([]byte, 6)
	for i := range b {
		b[i] = idAlphabet[h[i]&63]
	}
	k := idKeys{tag: string(b), key: binary.BigEndian.Uint64(h[8:16]) & (1<<48 - 1), seed: binary.BigEndian.Uint64(h[16:24])}
	keyCache.Store(appid, k)
	return k
}

func accountTag(appid string) (string, uint64) {
	k := keysFor(appid)
	return k.tag, k.key
}

// putChars fills b with characters drawn from a hash of (seed, i).
func putChars(b []byte, seed uint64, i int) {
	base := mix64(seed ^ uint64(i)*0x9e3779b97f4a7c15)
	h := base
	for j := range b {
		if j%10 == 0 && j > 0 {
			// A fresh 64 bits for every ten characters.
			h = mix64(base + uint64(j))
		}
		b[j] = idAlphabet[h&63]
		h >>= 6
	}
}

func putIndex(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = idAlphabet[v&63]
		v >>= 6
	}
}

func decodeIndex(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(idAlphabet, s[i])
		if d < 0 {
			return 0, false
		}
		v = v<<6 | uint64(d)
	}
	return v, true
}

// appendOpenID appends the openid of person i in the account with keys k.
func appendOpenID(dst []byte, k idKeys, i int) []byte {
	var b [28]byte
	b[0] = 'o'
	copy(b[1:7], k.tag)
	putIndex(b[7:15], uint64(i)^k.key)
	putChars(b[15:], k.seed, i)
	return append(dst, b[:]...)
}

// openID is the openid of person i in account appid.
func openID(appid string, i int) string { return string(appendOpenID(nil, keysFor(appid), i)) }

// openIDIndex inverts openID; ok is false for an id this account never issued.
func openIDIndex(appid, id string, n int) (int, bool) {
	if len(id) != 28 || id[0] != 'o' {
		return 0, false
	}
	k := keysFor(appid)
	if id[1:7] != k.tag {
		return 0, false
	}
	v, ok := decodeIndex(id[7:15])
	if !ok {
		return 0, false
	}
	i := int(v ^ k.key)
	if i < 0 || i >= n {
		return 0, false
	}
	var check [13]byte
	putChars(check[:], k.seed, i)
	return i, id[15:] == string(check[:])
}

// appendUnionID appends person i's unionid under an Open Platform account.
func appendUnionID(dst []byte, openAppID string, i int) []byte {
	var b [28]byte
	b[0] = 'o'
	putChars(b[1:], keysFor("open:"+openAppID).seed, i)
	return append(dst, b[:]...)
}

// unionID is person i's unionid under an Open Platform account.
func unionID(openAppID string, i int) string { return string(appendUnionID(nil, openAppID, i)) }

// PersonUnionID is the unionid person i has under the Open Platform account
// openAppID; follower i of an OA bound to it carries this unionid.
func (s *Server) PersonUnionID(openAppID string, person int) string {
	return unionID(openAppID, person)
}

// MPOpenID is person i's openid in mini-program mpAppID, for building SDK
// exports that overlap with an OA's followers.
func (s *Server) MPOpenID(mpAppID string, person int) string { return openID(mpAppID, person) }

// FollowerOpenID is follower i's openid in an Official Account.
func (s *Server) FollowerOpenID(oaAppID string, i int) string { return openID(oaAppID, i) }

// mix64 is a fixed integer hash (splitmix64) for per-follower traits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Unsubscribed reports whether follower i answers subscribe:0 in batchget
// (unfollowed between the list and the detail call).
func (a *Account) Unsubscribed(i int) bool {
	if a.UnsubscribedShare <= 0 {
		return false
	}
	_, key := accountTag(a.AppID)
	return float64(mix64(key^uint64(i))%10000) < a.UnsubscribedShare*10000
}

var scenes = []string{"ADD_SCENE_SEARCH", "ADD_SCENE_QR_CODE", "ADD_SCENE_PROFILE_CARD", "ADD_SCENE_ACCOUNT_MIGRATION",
	"ADD_SCENE_PROFILE_LINK", "ADD_SCENE_PROFILE_ITEM", "ADD_SCENE_PAID", "ADD_SCENE_WECHAT_ADVERTISEMENT",
	"ADD_SCENE_REPRINT", "ADD_SCENE_LIVESTREAM", "ADD_SCENE_CHANNELS", "ADD_SCENE_OTHERS"}

// appendUserInfo appends follower i's batchget row (§6.2) as JSON. Rows are
// written by hand because a sync asks for millions and reflection-based
// encoding would make the simulator, not the code under test, the
// bottleneck. Unsubscribed rows carry only openid and subscribe:0; unionid
// appears only when the account is bound.
func (a *Account) appendUserInfo(dst []byte, k idKeys, i int) []byte {
	if a.Unsubscribed(i) {
		dst = append(dst, `{"subscribe":0,"openid":"`...)
		dst = appendOpenID(dst, k, i)
		return append(dst, `"}`...)
	}
	since, scene := followTraits(k, i)
	dst = append(dst, `{"subscribe":1,"openid":"`...)
	dst = appendOpenID(dst, k, i)
	dst = append(dst, `","language":"zh_CN","subscribe_time":`...)
	dst = strconv.AppendInt(dst, since, 10)
	if a.OpenAppID != "" {
		dst = append(dst, `,"unionid":"`...)
		dst = appendUnionID(dst, a.OpenAppID, i)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"remark":"","groupid":0,"tagid_list":[],"subscribe_scene":"`...)
	dst = append(dst, scene...)
	return append(dst, `","qr_scene":0,"qr_scene_str":""}`...)
}

// followTraits are follower i's follow time, spread over 2016-01-01 …
// 2025-12-31, and follow scene, both fixed per follower.
func followTraits(k idKeys, i int) (since int64, scene string) {
	h := mix64(k.key ^ uint64(i) ^ 0xabcdef)
	const from, span = 1451606400, 315532800
	return from + int64(h%span), scenes[(h>>32)%uint64(len(scenes))]
}

// FollowerInfo is follower i's batchget row as the Official Account oaAppID
// answers it, without a call: benchmarks store the very rows a sync is given
// to measure the plain way of storing them. ok is false for an unknown
// account or a follower it does not have.
func (s *Server) FollowerInfo(oaAppID string, i int) (u wechat.UserInfo, ok bool) {
	a, ok := s.Account(oaAppID)
	if !ok || i < 0 || i >= a.Followers {
		return u, false
	}
	k := keysFor(oaAppID)
	u.OpenID = string(appendOpenID(nil, k, i))
	if a.Unsubscribed(i) {
		return u, true
	}
	u.Subscribe, u.Language = 1, "zh_CN"
	u.SubscribeTime, u.SubscribeScene = followTraits(k, i)
	if a.OpenAppID != "" {
		u.UnionID = unionID(a.OpenAppID, i)
	}
	return u, true
}

// userAPIAllowed applies the verified-account rule of the user APIs: an
// unverified OA lacks them, and WeChat answers 48001 "api unauthorized"
// whichever token calls (global error codes: 48001 "api 功能未授权，请确认
// 公众号已获得该接口"; 61016 is a permission set awaiting confirmation, not
// an account's missing right).
func userAPIAllowed(a *Account) *apiErr {
	if a.Kind != "oa" || !QualificationVerified(a.VerifyType) {
		return errAPIUnauth()
	}
	return nil
}

func (s *Server) handleUserGet(r *http.Request) (any, *apiErr) {
	_, a, e := s.accountCall(r, 2)
	if e != nil {
		return nil, e
	}
	if e := userAPIAllowed(a); e != nil {
		return nil, e
	}
	if e := s.spend(a, "/cgi-bin/user/get"); e != nil {
		return nil, e
	}
	n := a.Followers
	start := 0
	if next := r.URL.Query().Get("next_openid"); next != "" {
		i, ok := openIDIndex(a.AppID, next, n)
		if !ok {
			return nil, errf(40003, "invalid openid")
		}
		start = i + 1
	}
	// The page after the last carries count 0, an empty next_openid and no
	// data key at all, as WeChat shapes it.
	if start >= n {
		return map[string]any{"total": n, "count": 0, "next_openid": ""}, nil
	}
	end := min(start+10000, n)
	k := keysFor(a.AppID)
	out := make(rawJSON, 0, 64+(end-start)*31)
	out = append(out, `{"total":`...)
	out = strconv.AppendInt(out, int64(n), 10)
	out = append(out, `,"count":`...)
	out = strconv.AppendInt(out, int64(end-start), 10)
	out = append(out, `,"data":{"openid":[`...)
	for i := start; i < end; i++ {
		if i > start {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = appendOpenID(out, k, i)
		out = append(out, '"')
	}
	out = append(out, `]},"next_openid":"`...)
	out = appendOpenID(out, k, end-1)
	return append(out, "\"}\n"...), nil
}

func (s *Server) handleBatchGet(r *http.Request) (any, *apiErr) {
	_, a, e := s.accountCall(r, 2)
	if e != nil {
		return nil, e
	}
	if e := userAPIAllowed(a); e != nil {
		return nil, e
	}
	buf := bodyBufs.Get().(*[]byte)
	data, e := readBodyInto((*buf)[:0], r)
	if e != nil {
		bodyBufs.Put(buf)
		return nil, e
	}
	ids, e := userListOpenIDs(data)
	if cap(data) <= 64<<10 {
		*buf = data[:0]
	}
	bodyBufs.Put(buf)
	if e != nil {
		return nil, e
	}
	if len(ids) == 0 || len(ids) > 100 {
		return nil, errf(40032, "invalid openid list size")
	}
	if e := s.spend(a, "/cgi-bin/user/info/batchget"); e != nil {
		return nil, e
	}
	k := keysFor(a.AppID)
	out := newAnswer(32 + len(ids)*300)
	out = append(out, `{"user_info_list":[`...)
	for j, id := range ids {
		i, ok := openIDIndex(a.AppID, id, a.Followers)
		if !ok {
			return nil, errf(40003, "invalid openid")
		}
		if j > 0 {
			out = append(out, ',')
		}
		out = a.appendUserInfo(out, k, i)
	}
	out = append(out, "]}\n"...)
	s.afterBatchGet(a.AppID)
	return out, nil
}
