package main

import (
	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/awscur"
	"github.com/allot-dev/allot/connectors/azexport"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/connectors/gcpbq"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/azblobstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/objstore/s3blob"
)

// newStoreMux registers every storage scheme allot reads and writes.
func newStoreMux() *objstore.Mux {
	m := new(objstore.Mux)
	m.Register(fileblob.Scheme, fileblob.OpenURL)
	m.Register("s3", s3blob.OpenURL)
	m.Register("azblob", azblobstore.OpenURL)
	return m
}

// newSourceMux registers every source kind.
func newSourceMux() *connectors.Mux {
	m := new(connectors.Mux)
	m.Register(connectors.KindFOCUS, focus.Open)
	m.Register(connectors.KindAWSCUR, awscur.OpenCUR)
	m.Register(connectors.KindAWSCUR2, awscur.OpenCUR2)
	m.Register(connectors.KindAzureExport, azexport.Open)
	m.Register(connectors.KindGateway, gateway.Open)
	m.Register(connectors.KindGCPBigQuery, gcpbq.Open)
	return m
}
