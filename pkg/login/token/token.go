/*
Copyright The example-apiserver Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package token signs the login API's tokens and verifies them for the authentication
// webhook: JWTs (JWS compact) with issuer, audience, expiry, the user and their groups.
package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"k8s.io/client-go/util/keyutil"
	"k8s.io/utils/clock"
)

// leeway absorbs clock differences between replicas that share the keys.
const leeway = 5 * time.Second

// Claims are what a token says besides the registered claims.
type Claims struct {
	UID    string   `json:"uid,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// User is whom a token authenticates.
type User struct {
	Username string
	UID      string
	Groups   []string
}

// key is one signing key with the algorithm its type implies.
type key struct {
	id        string
	algorithm jose.SignatureAlgorithm
	private   crypto.Signer
}

// Keys are the login's keys: the first signs, all verify.
type Keys struct {
	keys []key
}

// LoadKeys reads PEM private keys from path; see ParseKeys.
func LoadKeys(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the signing keys: %w", err)
	}
	keys, err := ParseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("signing keys %s: %w", path, err)
	}
	return keys, nil
}

// ParseKeys parses one or more PEM private keys: ECDSA P-256, RSA of at least 2048 bits or
// Ed25519, in PKCS#8, SEC 1 or PKCS#1 blocks. Other blocks (certificates) are refused, so a
// wrong file is noticed.
func ParseKeys(data []byte) (*Keys, error) {
	var keys []key
	for i := 0; ; i++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		parsed, err := keyutil.ParsePrivateKeyPEM(pem.EncodeToMemory(block))
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, block.Type, err)
		}
		k, err := newKey(parsed)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM private key")
	}
	return &Keys{keys: keys}, nil
}

func newKey(parsed any) (key, error) {
	var k key
	switch p := parsed.(type) {
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return k, fmt.Errorf("ECDSA keys must be P-256, not %s", p.Curve.Params().Name)
		}
		k.algorithm, k.private = jose.ES256, p
	case *rsa.PrivateKey:
		if p.N.BitLen() < 2048 {
			return k, fmt.Errorf("RSA keys must have at least 2048 bits, not %d", p.N.BitLen())
		}
		k.algorithm, k.private = jose.RS256, p
	case ed25519.PrivateKey:
		k.algorithm, k.private = jose.EdDSA, p
	default:
		return k, fmt.Errorf("unsupported key type %T: want ECDSA P-256, RSA or Ed25519", parsed)
	}
	// The key ID names the public key, so a rotated file never reuses an ID for another key.
	thumb, err := (&jose.JSONWebKey{Key: k.private.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return k, err
	}
	k.id = base64.RawURLEncoding.EncodeToString(thumb)
	return k, nil
}

// Issuer signs tokens with the first key in force.
type Issuer struct {
	keys     KeySource
	issuer   string
	audience string
	lifetime time.Duration
	clock    clock.PassiveClock
}

// NewIssuer returns an issuer of tokens for audience, valid for lifetime.
func NewIssuer(keys KeySource, issuer, audience string, lifetime time.Duration, clk clock.PassiveClock) *Issuer {
	return &Issuer{keys: keys, issuer: issuer, audience: audience, lifetime: lifetime, clock: clk}
}

// Issue returns a signed token for user and when it expires.
func (i *Issuer) Issue(user User) (string, time.Time, error) {
	first := i.keys.Current().keys[0]
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: first.algorithm, Key: jose.JSONWebKey{Key: first.private, KeyID: first.id}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", time.Time{}, err
	}
	now := i.clock.Now()
	// Whole seconds: what the JWT carries, so the expiry reported is the one enforced.
	expiry := now.Add(i.lifetime).Truncate(time.Second)
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", time.Time{}, err
	}
	registered := jwt.Claims{
		Issuer:    i.issuer,
		Subject:   user.Username,
		Audience:  jwt.Audience{i.audience},
		Expiry:    jwt.NewNumericDate(expiry),
		NotBefore: jwt.NewNumericDate(now),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        base64.RawURLEncoding.EncodeToString(id),
	}
	token, err := jwt.Signed(signer).Claims(registered).Claims(Claims{UID: user.UID, Groups: user.Groups}).Serialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing the token: %w", err)
	}
	return token, expiry, nil
}

// ErrInvalid is every refused token: the webhook answers the same for all.
var ErrInvalid = errors.New("invalid token")

// Verifier accepts exactly the tokens an Issuer with the same keys, issuer and audience made.
type Verifier struct {
	keys     KeySource
	issuer   string
	audience string
	clock    clock.PassiveClock
}

// NewVerifier returns a verifier of tokens signed by any of the keys in force.
func NewVerifier(keys KeySource, issuer, audience string, clk clock.PassiveClock) *Verifier {
	return &Verifier{keys: keys, issuer: issuer, audience: audience, clock: clk}
}

// Verify checks the signature, issuer, audience and validity period of token and returns its
// user. Any failure is ErrInvalid wrapped with the reason, which never quotes the token.
func (v *Verifier) Verify(token string) (*User, error) {
	algorithms := []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA}
	parsed, err := jwt.ParseSigned(token, algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: not a signed JWT", ErrInvalid)
	}
	if len(parsed.Headers) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrInvalid)
	}
	header := parsed.Headers[0]
	var verifyWith *key
	keys := v.keys.Current()
	for i := range keys.keys {
		if k := &keys.keys[i]; k.id == header.KeyID && jose.SignatureAlgorithm(header.Algorithm) == k.algorithm {
			verifyWith = k
			break
		}
	}
	if verifyWith == nil {
		return nil, fmt.Errorf("%w: signed by an unknown key", ErrInvalid)
	}
	var registered jwt.Claims
	var claims Claims
	if err := parsed.Claims(verifyWith.private.Public(), &registered, &claims); err != nil {
		return nil, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	if registered.Expiry == nil || registered.Subject == "" {
		return nil, fmt.Errorf("%w: no expiry or subject", ErrInvalid)
	}
	expected := jwt.Expected{Issuer: v.issuer, AnyAudience: jwt.Audience{v.audience}, Time: v.clock.Now()}
	if err := registered.ValidateWithLeeway(expected, leeway); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &User{Username: registered.Subject, UID: claims.UID, Groups: claims.Groups}, nil
}
