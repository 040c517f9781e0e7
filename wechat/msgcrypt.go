package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Message crypto of WeChat's 安全模式 (WXBizMsgCrypt), reference §8: AES-256-CBC
// with IV = key[:16], PKCS#7 padding to 32-byte blocks, and a plaintext of
// 16 random bytes ‖ uint32 BE length ‖ message ‖ appid.

// Each failure has its own value so callers can tell a wrong token from a
// tampered body; none of them ever carries key, token or plaintext.
var (
	ErrBadSignature  = errors.New("wechat: msg_signature does not match")
	ErrBadKey        = errors.New("wechat: EncodingAESKey must be 43 characters that decode to 32 bytes")
	ErrBadBase64     = errors.New("wechat: encrypted message is not valid base64")
	ErrBadPadding    = errors.New("wechat: decrypted message has invalid padding")
	ErrBadLength     = errors.New("wechat: encrypted message has an invalid length")
	ErrAppIDMismatch = errors.New("wechat: message is for another appid")
)

// cryptBlock is WXBizMsgCrypt's padding block: 32, not AES's 16.
const cryptBlock = 32

// MsgCrypt encrypts and decrypts pushes for one token, key and appid.
type MsgCrypt struct {
	token string
	key   []byte
	appID string
	// Rand supplies the 16 random bytes of each encrypted message; nil
	// means crypto/rand. Tests set it to reproduce published vectors.
	Rand io.Reader
}

// NewMsgCrypt prepares the crypto for a platform. An empty appID skips the
// check of the appid at the end of each message.
func NewMsgCrypt(token, encodingAESKey, appID string) (*MsgCrypt, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrBadKey
	}
	// Not StdEncoding.Strict(): the official sample key has non-zero
	// trailing bits in its last character and must still be accepted.
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrBadKey
	}
	return &MsgCrypt{token: token, key: key, appID: appID}, nil
}

// AppID is the appid the messages are checked against.
func (m *MsgCrypt) AppID() string { return m.appID }

// Signature is msg_signature: the SHA-1 of token, timestamp, nonce and the
// encrypted message, sorted bytewise and concatenated, in lowercase hex.
func Signature(token, timestamp, nonce, encrypted string) string {
	return sortedSHA1(token, timestamp, nonce, encrypted)
}

// PlainSignature is the signature query parameter, which covers only token,
// timestamp and nonce; pushes must be verified with msg_signature instead.
func PlainSignature(token, timestamp, nonce string) string {
	return sortedSHA1(token, timestamp, nonce)
}

func sortedSHA1(parts ...string) string {
	sort.Strings(parts)
	h := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(h[:])
}

// Decrypt checks msgSignature over the encrypted message and returns the
// message it carries.
func (m *MsgCrypt) Decrypt(msgSignature, timestamp, nonce, encrypted string) ([]byte, error) {
	want := Signature(m.token, timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(msgSignature))) != 1 {
		return nil, ErrBadSignature
	}
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, ErrBadBase64
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrBadLength
	}
	block, _ := aes.NewCipher(m.key)
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, m.key[:aes.BlockSize]).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > cryptBlock || pad > len(plain) {
		return nil, ErrBadPadding
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, ErrBadLength
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, ErrBadLength
	}
	msg, tail := plain[20:20+n], plain[20+n:]
	if m.appID != "" && !bytes.Equal(tail, []byte(m.appID)) {
		return nil, ErrAppIDMismatch
	}
	return bytes.Clone(msg), nil
}

// Encrypt wraps plain for sending and signs it.
func (m *MsgCrypt) Encrypt(plain []byte, timestamp, nonce string) (encrypted, msgSignature string, err error) {
	r := m.Rand
	if r == nil {
		r = rand.Reader
	}
	buf := make([]byte, 20, 20+len(plain)+len(m.appID)+cryptBlock)
	if _, err := io.ReadFull(r, buf[:16]); err != nil {
		return "", "", fmt.Errorf("wechat: reading random bytes: %w", err)
	}
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(plain)))
	buf = append(buf, plain...)
	buf = append(buf, m.appID...)
	pad := cryptBlock - len(buf)%cryptBlock
	buf = append(buf, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(m.key)
	cipher.NewCBCEncrypter(block, m.key[:aes.BlockSize]).CryptBlocks(buf, buf)
	encrypted = base64.StdEncoding.EncodeToString(buf)
	return encrypted, Signature(m.token, timestamp, nonce, encrypted), nil
}
