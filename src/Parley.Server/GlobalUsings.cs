// Orleans brings its own ErrorCode into scope; the wire protocol's is the one this server means.
global using ErrorCode = Parley.Protocol.Wire.ErrorCode;
