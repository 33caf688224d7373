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

package unavailable

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/storage"
)

// failingStorage fails every call with err.
type failingStorage struct {
	storage.Interface
	err error
}

func (f failingStorage) Create(context.Context, string, runtime.Object, runtime.Object, uint64) error {
	return f.err
}

func (f failingStorage) Get(context.Context, string, storage.GetOptions, runtime.Object) error {
	return f.err
}

func (f failingStorage) GuaranteedUpdate(context.Context, string, runtime.Object, bool, *storage.Preconditions, storage.UpdateFunc, runtime.Object) error {
	return f.err
}

func TestUnreachableEtcdIsServiceUnavailable(t *testing.T) {
	unavailableErr := status.Error(codes.Unavailable, "error reading from server: EOF")
	notFound := storage.NewKeyNotFoundError("/registry/example.com/crontabs/ns/x", 0)
	tests := []struct {
		name       string
		err        error
		wantStatus int32 // 0: the error passes unchanged
	}{
		{name: "etcd unavailable", err: unavailableErr, wantStatus: http.StatusServiceUnavailable},
		{name: "etcd unavailable, wrapped", err: fmt.Errorf("txn: %w", unavailableErr), wantStatus: http.StatusServiceUnavailable},
		// A member that answers while the cluster elects a leader (the leader was lost).
		{name: "etcd request timed out", err: rpctypes.ErrTimeout, wantStatus: http.StatusServiceUnavailable},
		{name: "etcd leader changed", err: rpctypes.ErrLeaderChanged, wantStatus: http.StatusServiceUnavailable},
		{name: "etcd no leader, wrapped", err: fmt.Errorf("txn: %w", rpctypes.ErrNoLeader), wantStatus: http.StatusServiceUnavailable},
		{name: "other etcd errors stay", err: rpctypes.ErrCompacted},
		{name: "not found stays a storage error", err: notFound},
		{name: "other gRPC errors stay", err: status.Error(codes.ResourceExhausted, "request too large")},
		{name: "plain errors stay", err: errors.New("boom")},
		{name: "success", err: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Storage{Interface: failingStorage{err: tc.err}, Resource: schema.GroupResource{Group: "example.com", Resource: "crontabs"}}
			calls := map[string]error{
				"Create":           s.Create(context.Background(), "k", nil, nil, 0),
				"Get":              s.Get(context.Background(), "k", storage.GetOptions{}, nil),
				"GuaranteedUpdate": s.GuaranteedUpdate(context.Background(), "k", nil, false, nil, nil, nil),
			}
			for call, err := range calls {
				if tc.wantStatus == 0 {
					if !errors.Is(err, tc.err) && err != tc.err {
						t.Errorf("%s: got %v, want the error unchanged: %v", call, err, tc.err)
					}
					continue
				}
				statusErr, ok := err.(apierrors.APIStatus)
				if !ok || statusErr.Status().Code != tc.wantStatus {
					t.Errorf("%s: got %v, want status %d", call, err, tc.wantStatus)
				}
			}
		})
	}
}
