package azexport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/go-cmp/cmp"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/internal/testenv"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/azblobstore"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// TestAzurite uploads the export folder to an Azurite container under the
// root folder "exports" (as the manifests' blob names say) and scans it
// through an azblob:// URL. It must yield exactly what the local copy
// yields, read from the same run.
func TestAzurite(t *testing.T) {
	srv := testenv.NeedAzurite(t)
	t.Setenv(azblobstore.ConnectionStringEnv, srv.ConnectionString)
	ctx := context.Background()

	var r [6]byte
	rand.Read(r[:])
	name := "allot-azexport-" + hex.EncodeToString(r[:])
	c, err := container.NewClientFromConnectionString(srv.ConnectionString, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, nil); err != nil {
		t.Fatalf("creating container %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.Delete(ctx, nil); err != nil {
			t.Errorf("cleanup: deleting container %s: %v", name, err)
		}
	})
	root := filepath.Join("testdata", "export")
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		_, err = c.NewBlockBlobClient("exports/"+filepath.ToSlash(rel)).UploadBuffer(ctx, b, nil)
		return err
	})
	if err != nil {
		t.Fatalf("uploading the export folder: %v", err)
	}

	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	store.Register(azblobstore.Scheme, azblobstore.OpenURL)
	var mux connectors.Mux
	mux.Register(connectors.KindAzureExport, Open)
	url := "azblob://" + srv.Account + "/" + name + "/exports/aiexport?endpoint=" + srv.Endpoint
	remote, err := mux.Open(ctx, connectors.Env{Store: &store}, connectors.Config{Name: "az", Kind: connectors.KindAzureExport, URL: url})
	if err != nil {
		t.Fatal(err)
	}
	local := openSource(t, fileURL(t, "export/aiexport"), nil)

	for _, p := range []struct{ p, empty string }{{"2026-10", "2026-08"}, {"2026-09", "2026-07"}} {
		t.Run(p.p, func(t *testing.T) {
			period := mustPeriod(t, p.p)
			got, gotSt, err := collect(t, remote, period)
			if err != nil {
				t.Fatal(err)
			}
			want, wantSt, err := collect(t, local, period)
			if err != nil {
				t.Fatal(err)
			}
			g := string(render(got, "azblob://"+srv.Account+"/"+name+"/exports/aiexport/"))
			w := string(render(want, fileURL(t, "export/aiexport")+"/"))
			if g != w {
				t.Errorf("Azurite scan differs from the local scan:\n%s\nwant\n%s", g, w)
			}
			if !gotSt.Effective.Equal(wantSt.Effective) || gotSt.Lines != wantSt.Lines {
				t.Errorf("stats = %+v, want %+v", gotSt, wantSt)
			}
			// The grouped scan allot run uses reads the blobs the same way.
			gotG, gotGSt, err := collectGroups(t, remote, period)
			if err != nil {
				t.Fatal(err)
			}
			wantG, _, err := collectGroups(t, local, period)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := string(render(gotG, "azblob://"+srv.Account+"/"+name+"/exports/aiexport/")),
				string(render(wantG, fileURL(t, "export/aiexport")+"/")); g != w || len(gotG) == 0 {
				t.Errorf("Azurite grouped scan differs from the local one:\n%s\nwant\n%s", g, w)
			}
			if !gotGSt.Effective.Equal(wantSt.Effective) || gotGSt.Lines != wantSt.Lines {
				t.Errorf("grouped stats = %+v, want the line scan's %+v", gotGSt, wantSt)
			}
			in, err := remote.Inputs(ctx, period)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range in {
				if strings.HasSuffix(i.Object, "/manifest.json") {
					continue
				}
				if !strings.HasPrefix(i.Fingerprint, "etag:") {
					t.Errorf("input %s fingerprint %q, want the blob's ETag", i.Object, i.Fingerprint)
				}
			}
			if _, _, err := collect(t, remote, mustPeriod(t, p.empty)); !errorsIsNotFound(err) {
				t.Errorf("scan of %s: %v, want ErrNotFound", p.empty, err)
			}
			// Errors and provenance name the container, never the key.
			for _, li := range got {
				if strings.Contains(li.Source.Object, "AccountKey") || strings.Contains(li.Source.Object, "Eby8") {
					t.Fatalf("provenance leaks a credential: %s", li.Source.Object)
				}
			}
		})
	}

	// A Parquet export file read from Blob storage (copied to a temporary
	// file for random access) yields what the same file yields from disk.
	t.Run("parquet", func(t *testing.T) {
		src, err := os.ReadFile(filepath.Join("testdata", "samples", "finops-toolkit__EA_ActualCost_Small.csv"))
		if err != nil {
			t.Fatal(err)
		}
		pq, _ := toParquet(t, src, true)
		key := "exports/single/part_0_0001.snappy.parquet"
		if _, err := c.NewBlockBlobClient(key).UploadBuffer(ctx, pq, nil); err != nil {
			t.Fatal(err)
		}
		remote, err := mux.Open(ctx, connectors.Env{Store: &store}, connectors.Config{Name: "az", Kind: connectors.KindAzureExport,
			URL: "azblob://" + srv.Account + "/" + name + "/" + key + "?endpoint=" + srv.Endpoint})
		if err != nil {
			t.Fatal(err)
		}
		sep := mustPeriod(t, "2023-09")
		got, gotSt, err := collect(t, remote, sep)
		if err != nil {
			t.Fatal(err)
		}
		want, wantSt, err := collect(t, openSource(t, "file:"+writeTemp(t, t.TempDir(), "part_0_0001.snappy.parquet", pq), nil), sep)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) == 0 || !gotSt.Billed.Equal(wantSt.Billed) || !gotSt.Effective.Equal(wantSt.Effective) {
			t.Fatalf("Blob: %d items, %+v; disk: %d items, %+v", len(got), gotSt, len(want), wantSt)
		}
		for i := range got {
			got[i].Source.Object, want[i].Source.Object = "", ""
		}
		if d := cmp.Diff(want, got, decimalEqual); d != "" {
			t.Errorf("Blob items differ from disk items (-disk +blob):\n%s", d)
		}
	})
}
