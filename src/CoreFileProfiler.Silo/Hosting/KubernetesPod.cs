namespace CoreFileProfiler.Silo.Hosting;

/// <summary>Whether this process runs in a Kubernetes pod with the downward-API variables the chart sets.</summary>
public static class KubernetesPod
{
    public static bool IsCurrent =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("POD_NAME"));
}
