namespace Parley.Crypto; internal static class Placeholder { }
