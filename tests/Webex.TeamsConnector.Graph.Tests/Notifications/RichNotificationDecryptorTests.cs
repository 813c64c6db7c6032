using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class RichNotificationDecryptorTests : IDisposable
{
    private const string UserId = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
    private readonly X509Certificate2 _certificate = GraphTestHost.CreateCertificate();
    private readonly RichNotificationDecryptor _decryptor;

    public RichNotificationDecryptorTests()
    {
        var options = new GraphOptions { EncryptionCertificateId = "cert-1" };
        options.UseEncryptionCertificate(_certificate);
        _decryptor = new RichNotificationDecryptor(Options.Create(options));
    }

    public void Dispose()
    {
        _decryptor.Dispose();
        _certificate.Dispose();
    }

    [Fact]
    public void TryDecrypt_AsGraphEncrypts_GivesThePresence()
    {
        var work = Encrypt("""{"@odata.type":"#microsoft.graph.presence","id":"fa8bf3dc-eca7-46b7-bad1-db199b62afc3","availability":"Busy","activity":"InACall"}""");

        _decryptor.TryDecrypt(work, out var presence, out var reason).Should().BeTrue(reason);

        presence.Should().Be(new DecryptedPresence(UserId, "Busy", "InACall", null));
    }

    [Fact]
    public void TryDecrypt_DataChangedAfterSigning_FailsOnTheSignatureBeforeDecrypting()
    {
        var work = Encrypt("""{"id":"fa8bf3dc-eca7-46b7-bad1-db199b62afc3","availability":"Busy","activity":"InACall"}""");
        var data = Convert.FromBase64String(work.Data!);
        data[^1] ^= 0x01; // would also break the PKCS7 padding if it were decrypted first
        var tampered = work with { Data = Convert.ToBase64String(data) };

        _decryptor.TryDecrypt(tampered, out _, out var reason).Should().BeFalse();

        reason.Should().Be("signature");
    }

    [Fact]
    public void TryDecrypt_SignatureOfOtherData_Fails()
    {
        var work = Encrypt("""{"id":"fa8bf3dc-eca7-46b7-bad1-db199b62afc3"}""");
        var other = Encrypt("""{"id":"fa8bf3dc-eca7-46b7-bad1-db199b62afc4"}""");

        _decryptor.TryDecrypt(work with { DataSignature = other.DataSignature }, out _, out var reason).Should().BeFalse();

        reason.Should().Be("signature");
    }

    [Theory]
    [InlineData("other-cert", "certificate")]
    [InlineData(null, "certificate")]
    public void TryDecrypt_OtherCertificateId_Fails(string? certificateId, string expected)
    {
        var work = Encrypt("""{"id":"x"}""") with { EncryptionCertificateId = certificateId };

        _decryptor.TryDecrypt(work, out _, out var reason).Should().BeFalse();

        reason.Should().Be(expected);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void TryDecrypt_GarbageKey_FailsWithoutThrowing(string dataKey)
    {
        var work = Encrypt("""{"id":"x"}""") with { DataKey = dataKey };

        _decryptor.TryDecrypt(work, out _, out var reason).Should().BeFalse();

        reason.Should().Be("decrypt");
    }

    [Fact]
    public void TryDecrypt_SignedGarbage_FailsWithoutThrowing()
    {
        var work = Encrypt("not json at all");

        _decryptor.TryDecrypt(work, out _, out var reason).Should().BeFalse();

        reason.Should().Be("decrypt");
    }

    private NotificationWork Encrypt(string json)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var aes = Aes.Create();
        aes.Key = key;
        var data = aes.EncryptCbc(Encoding.UTF8.GetBytes(json), key.AsSpan(0, 16), PaddingMode.PKCS7);
        using var rsa = _certificate.GetRSAPublicKey()!;
        return new NotificationWork(NotificationKind.Rich, "sub", UserId)
        {
            Data = Convert.ToBase64String(data),
            DataSignature = Convert.ToBase64String(HMACSHA256.HashData(key, data)),
            DataKey = Convert.ToBase64String(rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA1)),
            EncryptionCertificateId = "cert-1",
        };
    }
}
