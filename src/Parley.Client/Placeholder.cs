namespace Parley.Client; internal static class Placeholder { }
