using System.Globalization;
using System.Net;
using System.Text;

namespace KeyGuard.Reporting.Iam;

/// <summary>An inline SVG bar chart of the key age buckets, drawn on the server so the page needs no script or library.</summary>
internal static class AgeChartSvg
{
    private const int Width = 560;
    private const int Height = 240;
    private const int Left = 48;
    private const int Bottom = 36;
    private const int Top = 24;
    // Older buckets are riskier: green to red.
    private static readonly string[] Colours = ["#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828"];

    public static string Render(IReadOnlyList<KeyAgeBucket> buckets)
    {
        var svg = new StringBuilder();
        var max = Math.Max(1, buckets.Max(b => b.Count));
        var plotHeight = Height - Top - Bottom;
        var slot = (Width - Left - 8) / buckets.Count;
        var barWidth = slot * 2 / 3;

        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"age-chart\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" aria-labelledby=\"age-chart-title\">");
        svg.Append("<title id=\"age-chart-title\">Active access keys by days since last rotation</title>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - 4}\" y2=\"{Height - Bottom}\" stroke=\"#555\"/>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\" class=\"axis\">{max}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left - 6}\" y=\"{Height - Bottom}\" text-anchor=\"end\" class=\"axis\">0</text>");

        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var barHeight = bucket.Count == 0 ? 0 : Math.Max(2, (int)Math.Round((double)bucket.Count / max * plotHeight));
            var x = Left + i * slot + (slot - barWidth) / 2;
            var y = Height - Bottom - barHeight;
            var label = WebUtility.HtmlEncode(bucket.Label);
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bar\" data-bucket=\"{label}\" x=\"{x}\" y=\"{y}\" width=\"{barWidth}\" height=\"{barHeight}\" fill=\"{Colours[i % Colours.Length]}\"><title>{label} days: {bucket.Count} keys</title></rect>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x + barWidth / 2}\" y=\"{y - 4}\" text-anchor=\"middle\" class=\"count\">{bucket.Count}</text>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x + barWidth / 2}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"axis\">{label}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{(Width + Left) / 2}\" y=\"{Height - 4}\" text-anchor=\"middle\" class=\"axis\">days since last rotation</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
