using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>A presence carried by a rich notification.</summary>
internal readonly record struct DecryptedPresence(string Id, string? Availability, string? Activity, string? SequenceNumber);

/// <summary>
/// Verifies and decrypts rich notifications: the symmetric key is the <c>dataKey</c> decrypted with the
/// certificate's RSA private key (OAEP with SHA-1, as Graph uses); HMAC-SHA256 of the base64-decoded data under
/// that key must equal <c>dataSignature</c> (compared in constant time) before anything is decrypted; the data
/// is AES-CBC with PKCS7 padding and an IV of the key's first 16 bytes.
/// </summary>
internal sealed class RichNotificationDecryptor : IDisposable
{
    private readonly X509Certificate2? _certificate;
    private readonly RSA? _key;
    private readonly bool _ownsCertificate;

    public RichNotificationDecryptor(IOptions<GraphOptions> options)
    {
        var settings = options.Value;
        if (settings.GetEncryptionCertificate() is { } given)
        {
            _certificate = given;
        }
        else if (!string.IsNullOrEmpty(settings.EncryptionCertificatePath))
        {
            _certificate = CertificateFiles.Load(settings.EncryptionCertificatePath, settings.EncryptionCertificatePassword);
            _ownsCertificate = true;
        }

        _key = _certificate?.GetRSAPrivateKey();
        CertificateId = settings.EncryptionCertificateId ?? _certificate?.Thumbprint;
    }

    /// <summary>Whether rich notifications can be asked for (a certificate with a private key is configured).</summary>
    public bool Enabled => _key is not null;

    public string? CertificateId { get; }

    /// <summary>The public certificate, base64 DER, for the subscription's <c>encryptionCertificate</c>.</summary>
    public string? PublicCertificate => _certificate is null ? null : Convert.ToBase64String(_certificate.Export(X509ContentType.Cert));

    /// <summary>Verifies and decrypts; on failure gives the rejection reason.</summary>
    public bool TryDecrypt(NotificationWork work, out DecryptedPresence presence, out string reason)
    {
        presence = default;
        if (_key is null)
        {
            reason = "no-certificate";
            return false;
        }

        if (!string.Equals(work.EncryptionCertificateId, CertificateId, StringComparison.Ordinal))
        {
            reason = "certificate";
            return false;
        }

        byte[] symmetric;
        byte[] data;
        byte[] signature;
        try
        {
            symmetric = _key.Decrypt(Convert.FromBase64String(work.DataKey ?? string.Empty), RSAEncryptionPadding.OaepSHA1);
            data = Convert.FromBase64String(work.Data ?? string.Empty);
            signature = Convert.FromBase64String(work.DataSignature ?? string.Empty);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            reason = "decrypt";
            return false;
        }

        try
        {
            if (symmetric.Length != 32)
            {
                reason = "decrypt";
                return false;
            }

            Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(symmetric, data, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                reason = "signature";
                return false;
            }

            byte[] plain;
            using (var aes = Aes.Create())
            {
                aes.Key = symmetric;
                plain = aes.DecryptCbc(data, symmetric.AsSpan(0, 16), PaddingMode.PKCS7);
            }

            using var document = JsonDocument.Parse(plain);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Read(root, "id") is not { } id)
            {
                reason = "malformed";
                return false;
            }

            presence = new DecryptedPresence(id, Read(root, "availability"), Read(root, "activity"), Read(root, "sequenceNumber"));
            reason = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            reason = "decrypt";
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(symmetric);
        }
    }

    public void Dispose()
    {
        _key?.Dispose();
        if (_ownsCertificate)
        {
            _certificate?.Dispose();
        }
    }

    private static string? Read(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
