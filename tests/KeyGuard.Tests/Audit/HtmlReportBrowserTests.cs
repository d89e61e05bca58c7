using KeyGuard.Reporting.Iam;
using Xunit;
using Xunit.Abstractions;

namespace KeyGuard.Tests.Audit;

/// <summary>The HTML report opened in real headless Chromium: it renders its chart and table and asks for nothing on the network.</summary>
public class HtmlReportBrowserTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Measures what the browser actually laid out, as JSON.
    private const string Measure = """
        JSON.stringify({
          title: document.title,
          svgWidth: document.querySelector('svg.age-chart')?.getBoundingClientRect().width ?? 0,
          svgHeight: document.querySelector('svg.age-chart')?.getBoundingClientRect().height ?? 0,
          bars: [...document.querySelectorAll('svg.age-chart rect.bar')].map(r => ({
            bucket: r.getAttribute('data-bucket'), height: r.getBoundingClientRect().height })),
          findingRows: document.querySelectorAll('#findings tbody tr').length,
          findingsHeight: document.querySelector('#findings')?.getBoundingClientRect().height ?? 0,
          controlRows: document.querySelectorAll('#controls tbody tr').length,
          firstUser: document.querySelector('#findings tbody tr td code')?.textContent ?? '',
          chartTop: document.querySelector('svg.age-chart')?.getBoundingClientRect().top ?? -1,
          controlsTop: document.querySelector('#controls')?.getBoundingClientRect().top ?? -1,
          findingsTop: document.querySelector('#findings')?.getBoundingClientRect().top ?? -1,
          failBars: [...document.querySelectorAll('#controls .fail-bar')].filter(b => b.getBoundingClientRect().width > 0).length,
          userRows: document.querySelectorAll('#users tbody tr').length
        })
        """;

    [ChromiumFact]
    public async Task The_report_renders_its_chart_and_tables_and_makes_no_network_request()
    {
        var report = IamReportOutputTests.SampleReport();
        var page = _dir.File("report.html", IamReportWriters.Render(report, IamReportFormat.Html));
        var url = new Uri(page).AbsoluteUri;

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(url);
        var layout = await browser.EvaluateJsonAsync(Measure);
        var screenshot = await browser.ScreenshotAsync();
        File.WriteAllBytes(Path.Combine(AppContext.BaseDirectory, "report-html-screenshot.png"), screenshot);
        log.WriteLine(layout.ToString());

        Assert.StartsWith("KeyGuard IAM credential report", layout.GetProperty("title").GetString());
        Assert.True(layout.GetProperty("svgWidth").GetDouble() > 100);
        Assert.True(layout.GetProperty("svgHeight").GetDouble() > 100);
        var bars = layout.GetProperty("bars").EnumerateArray()
            .Select(b => (b.GetProperty("bucket").GetString(), b.GetProperty("height").GetDouble() > 0)).ToList();
        Assert.Equal([("0-30", true), ("31-90", true), ("91-180", true), ("181-365", true), (">365", true)], bars);
        Assert.Equal(report.Findings.Count(), layout.GetProperty("findingRows").GetInt32());
        Assert.True(layout.GetProperty("findingsHeight").GetDouble() > 50);
        Assert.Equal(report.Summary.Controls.Count, layout.GetProperty("controlRows").GetInt32());   // one row per control summary
        Assert.Equal("<root_account>", layout.GetProperty("firstUser").GetString());
        // Laid out summary first: the chart and the controls table above the first finding.
        Assert.True(layout.GetProperty("chartTop").GetDouble() < layout.GetProperty("findingsTop").GetDouble());
        Assert.True(layout.GetProperty("controlsTop").GetDouble() < layout.GetProperty("findingsTop").GetDouble());
        Assert.Equal(report.Summary.Controls.Count(c => c.Fail > 0), layout.GetProperty("failBars").GetInt32());   // CSS bars drawn
        Assert.True(layout.GetProperty("userRows").GetInt32() > 0);
        Assert.True(screenshot.Length > 10_000);

        // The only request is the page itself.
        Assert.Equal([url], browser.RequestedUrls);
        Assert.Empty(browser.LogEntries);
    }

    /// <summary>The detector works: a page that loads an image is caught, so an empty list above means something.</summary>
    [ChromiumFact]
    public async Task The_request_recorder_catches_a_page_that_fetches_something()
    {
        var page = _dir.File("leaky.html", "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/pixel.png\"></body></html>");

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(new Uri(page).AbsoluteUri);

        Assert.Contains("http://127.0.0.1:9/pixel.png", browser.RequestedUrls);
    }
}
