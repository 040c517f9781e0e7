package connector

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// sealer encrypts tokens before they reach the store, so a copied database
// file alone does not hand over any account (AES-256-GCM, key derived from
// the configured store key).
type sealer struct{ aead cipher.AEAD }

var errUnseal = errors.New("connector: a stored token cannot be decrypted with the configured store key")

func newSealer(storeKey string) *sealer {
	k := sha256.Sum256([]byte("oawizard-connector-store:" + storeKey))
	block, _ := aes.NewCipher(k[:])
	aead, _ := cipher.NewGCM(block)
	return &sealer{aead: aead}
}

// seal binds the value to what it is for (aad), so a sealed token cannot be
// moved to another row.
func (s *sealer) seal(plain, aad string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(plain), []byte(aad))
}

func (s *sealer) open(sealed []byte, aad string) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errUnseal
	}
	p, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return "", errUnseal
	}
	return string(p), nil
}
