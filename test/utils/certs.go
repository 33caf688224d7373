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

package utils

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// KeyPair is a certificate and its private key, parsed and in PEM. A CA is a KeyPair that
// issues others. Tests make their throwaway CAs and certificates with the functions below
// (client-go's util/cert and util/keyutil), so that every test makes and reads them one way.
type KeyPair struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte
}

// Leaf describes a certificate to issue: its subject, names and usages as client-go's
// cert.Config has them, and its validity. A zero NotBefore is an hour ago, for clocks that
// differ a little; a zero NotAfter is a day after NotBefore.
type Leaf struct {
	cert.Config
	NotAfter time.Time
}

// NewCA returns a new self-signed certificate authority named commonName.
func NewCA(t testing.TB, commonName string) *KeyPair {
	t.Helper()
	key := newKey(t)
	caCert, err := cert.NewSelfSignedCACert(cert.Config{CommonName: commonName}, key)
	if err != nil {
		t.Fatalf("self-signing CA %s: %v", commonName, err)
	}
	return newKeyPair(t, caCert, key)
}

// NewCAValid returns a new self-signed certificate authority named commonName, valid from
// notBefore to notAfter: for tests of what happens when a CA expires.
func NewCAValid(t testing.TB, commonName string, notBefore, notAfter time.Time) *KeyPair {
	t.Helper()
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber:          newSerial(t),
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return newKeyPair(t, create(t, template, template, key.Public(), key), key)
}

// Load reads a certificate and its key from PEM files, e.g. a CA that hack/local-up.sh made.
func Load(t testing.TB, certFile, keyFile string) *KeyPair {
	t.Helper()
	certs, err := cert.CertsFromFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	return newKeyPair(t, certs[0], LoadKey(t, keyFile))
}

// LoadKey reads a private key in any PEM form keyutil knows (PKCS#1, PKCS#8, SEC 1).
func LoadKey(t testing.TB, path string) crypto.Signer {
	t.Helper()
	key, err := keyutil.PrivateKeyFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("%s: a %T cannot sign", path, key)
	}
	return signer
}

// Issue returns a new certificate for leaf, with a new key, signed by ca.
func (ca *KeyPair) Issue(t testing.TB, leaf Leaf) *KeyPair {
	t.Helper()
	notBefore := leaf.NotBefore
	if notBefore.IsZero() {
		notBefore = time.Now().Add(-time.Hour)
	}
	notAfter := leaf.NotAfter
	if notAfter.IsZero() {
		notAfter = notBefore.Add(24 * time.Hour)
	}
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber: newSerial(t),
		Subject:      pkix.Name{CommonName: leaf.CommonName, Organization: leaf.Organization},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  leaf.Usages,
		DNSNames:     leaf.AltNames.DNSNames,
		IPAddresses:  leaf.AltNames.IPs,
	}
	return newKeyPair(t, create(t, template, ca.Cert, key.Public(), ca.Key), key)
}

// create signs template with the parent's key.
func create(t testing.TB, template, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("issuing %s: %v", template.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSerial(t testing.TB) *big.Int {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		t.Fatal(err)
	}
	return serial
}

// TLSCertificate is the pair for a crypto/tls client or server.
func (p *KeyPair) TLSCertificate() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{p.Cert.Raw}, PrivateKey: p.Key, Leaf: p.Cert}
}

// newKey returns a P-256 key: as good as RSA for tests, and made in microseconds.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newKeyPair(t testing.TB, c *x509.Certificate, key crypto.Signer) *KeyPair {
	t.Helper()
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := cert.EncodeCertificates(c)
	if err != nil {
		t.Fatal(err)
	}
	return &KeyPair{Cert: c, Key: key, CertPEM: certPEM, KeyPEM: keyPEM}
}

// NewKeyPEM returns a new P-256 private key in PEM, e.g. a token signing key.
func NewKeyPEM(t testing.TB) []byte {
	t.Helper()
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return keyPEM
}
